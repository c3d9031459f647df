"""Surveys' report routes: NPS and ratings by subject and period, employee of the month.

Every report reads read-model documents by `_id` (concurrently for lists): nothing is
aggregated over answers at request time.
"""

from __future__ import annotations

import asyncio
import re

from fastapi import APIRouter, Query

from services.surveys.bootstrap import Context, Ctx
from services.surveys.ratings.handlers import EMPLOYEE_COMPLAINTS
from services.surveys.ratings.model import (
    QUALITY_FORMULA,
    SUBJECT_KINDS,
    Rating,
    last_weeks,
    month_of,
    months_back,
    rank_employees,
)
from services.surveys.ratings.schemas import (
    EmployeeOfTheMonthReport,
    EmployeeQuality,
    RatingResponse,
    WeeklySeriesResponse,
)
from shared.problems import Invalid

router = APIRouter(prefix="/internal/v1/reports", tags=["reports"])

EOM_LOOKBACK_MONTHS = 12
PERIOD = re.compile(r"^(all|\d{4}-(0[1-9]|1[0-2])|\d{4}-W(0[1-9]|[1-4]\d|5[0-3]))$")


def _subject(subject: str) -> tuple[str, str]:
    if subject == "all":
        return "all", "all"
    kind, _, key = subject.partition(":")
    if kind not in SUBJECT_KINDS or not key:
        raise Invalid(f"subject {subject!r}: use all, employee:<id>, store:<id> or category:<name>")
    return kind, key


def _period(period: str) -> str:
    if not PERIOD.match(period):
        raise Invalid(f"period {period!r} must be 'all', YYYY-MM or YYYY-Www")
    return period


@router.get("/nps", response_model=RatingResponse)
async def nps(ctx: Ctx, subject: str = Query("all"), period: str = Query("all")) -> RatingResponse:
    """Count, average, NPS and CSAT of one subject (all, employee, store, category)."""
    kind, key = _subject(subject)
    return RatingResponse.of(await ctx.ratings.get(kind, key, _period(period)))


@router.get("/nps/breakdown", response_model=list[RatingResponse])
async def breakdown(
    ctx: Ctx, kind: str = Query("employee"), period: str = Query("all")
) -> list[RatingResponse]:
    """Every employee (store, category) with answers in the period."""
    if kind not in SUBJECT_KINDS[1:]:
        raise Invalid("kind must be employee, store or category")
    ratings = ctx.ratings
    keys = await ratings.keys(kind, _period(period))
    return [RatingResponse.of(r) for r in await ratings.many(kind, keys, period)]


@router.get("/nps/weekly", response_model=WeeklySeriesResponse)
async def weekly(
    ctx: Ctx, subject: str = Query("all"), weeks: int = Query(8, ge=1, le=104)
) -> WeeklySeriesResponse:
    """The trend: one rating per ISO week, oldest first, ending with this week."""
    kind, key = _subject(subject)
    today = ctx.clock().date()
    series = await asyncio.gather(
        *(ctx.ratings.get(kind, key, w) for w in last_weeks(today, weeks))
    )
    return WeeklySeriesResponse(subject=subject, weeks=[RatingResponse.of(r) for r in series])


@router.get("/employees", response_model=EmployeeOfTheMonthReport)
async def employee_of_the_month(
    ctx: Ctx, month: str | None = Query(None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
) -> EmployeeOfTheMonthReport:
    """Quality index per employee for a month and the best of them, with the formula.

    Without `month`: the latest of the last `EOM_LOOKBACK_MONTHS` months in which an
    employee has enough answers to be ranked, else the current month. Early in a
    month the current one has next to no answers; a report of nobody says nothing."""
    if month:
        return await _employee_report(ctx, month)
    current = month_of(ctx.clock(), ctx.settings.timezone)
    for candidate in months_back(current, EOM_LOOKBACK_MONTHS):
        report = await _employee_report(ctx, candidate)
        if report.best_employee is not None:
            return report
    return await _employee_report(ctx, current)


async def _employee_report(ctx: Context, month: str) -> EmployeeOfTheMonthReport:
    keys = sorted(
        set(await ctx.ratings.keys("employee", month))
        | set(await ctx.ratings.keys(EMPLOYEE_COMPLAINTS, month))
    )
    scores = await ctx.ratings.many("employee", keys, month)
    complaints = await ctx.ratings.many(EMPLOYEE_COMPLAINTS, keys, month)
    merged = [
        s.model_copy(
            update={"complaints": c.complaints, "complaints_founded": c.complaints_founded}
        )
        for s, c in zip(scores, complaints, strict=True)
    ]
    min_answers = ctx.settings.eom_min_answers
    ranked = rank_employees(merged, min_answers)
    rows = [
        _quality_row(r, index, n + 1 if index is not None else None)
        for n, (r, index) in enumerate(ranked)
    ]
    best = rows[0].employee_id if rows and rows[0].quality_index is not None else None
    return EmployeeOfTheMonthReport(
        month=month,
        best_employee=best,
        formula=QUALITY_FORMULA.format(min_answers=min_answers),
        min_answers=min_answers,
        employees=rows,
    )


def _quality_row(r: Rating, index: float | None, rank: int | None) -> EmployeeQuality:
    return EmployeeQuality(
        employee_id=r.subject.split(":", 1)[1],
        answers=r.count,
        average=r.average,
        nps=r.nps,
        csat=r.csat,
        complaints=r.complaints,
        complaints_founded=r.complaints_founded,
        quality_index=index,
        rank=rank,
    )
