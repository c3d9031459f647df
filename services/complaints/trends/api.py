"""Trend routes: weekly counts per topic and segment, and the detector run on demand."""

from __future__ import annotations

from fastapi import APIRouter

from services.complaints.bootstrap import Context, Ctx
from services.complaints.trends import handlers
from services.complaints.trends.handlers import TrendLine
from services.complaints.trends.model import iso_week, week_start
from shared.problems import Invalid

router = APIRouter(prefix="/internal/v1", tags=["complaints reports"])


def checked_week(ctx: Context, week: str | None) -> str:
    if week is None:
        return iso_week(ctx.clock())
    try:
        week_start(week)
    except ValueError as exc:  # it names the expected form
        raise Invalid(str(exc)) from exc
    return week


@router.get("/reports/complaint-trends", response_model=list[TrendLine])
async def complaint_trends(
    ctx: Ctx, week: str | None = None, segment: str | None = None
) -> list[TrendLine]:
    """Weekly counts per topic and segment, rising ones first (week: e.g. 2026-W47)."""
    return await handlers.trend_report(ctx, checked_week(ctx, week), segment)


@router.post("/reports/complaint-trends/detect", response_model=list[TrendLine])
async def detect_trends(ctx: Ctx, week: str | None = None) -> list[TrendLine]:
    """Flag rising topics of a week and announce each once (complaint.trend_detected)."""
    return await handlers.detect_trends(ctx, checked_week(ctx, week), ctx.clock())
