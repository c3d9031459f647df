"""Trend routes: weekly counts per topic and segment, and the detector run on demand."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.complaints.bootstrap import desk_of, utc_now
from services.complaints.trends import handlers as handlers_trends
from services.complaints.trends.handlers import TrendLine
from services.complaints.trends.model import iso_week, week_start
from shared.problems import Invalid

router = APIRouter(prefix="/internal/v1", tags=["complaints reports"])


def checked_week(week: str | None) -> str:
    if week is None:
        return iso_week(utc_now())
    try:
        week_start(week)
    except ValueError as exc:  # it names the expected form
        raise Invalid(str(exc)) from exc
    return week


@router.get("/reports/complaint-trends", response_model=list[TrendLine])
async def complaint_trends(
    request: Request, week: str | None = None, segment: str | None = None
) -> list[TrendLine]:
    """Weekly counts per topic and segment, rising ones first (week: e.g. 2026-W47)."""
    return await handlers_trends.trend_report(desk_of(request), checked_week(week), segment)


@router.post("/reports/complaint-trends/detect", response_model=list[TrendLine])
async def detect_trends(request: Request, week: str | None = None) -> list[TrendLine]:
    """Flag rising topics of a week and announce each once (complaint.trend_detected)."""
    return await handlers_trends.detect_trends(desk_of(request), checked_week(week), utc_now())
