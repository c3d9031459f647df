"""Outreach jobs run on demand (`clientele surveys greet-name-days`)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query

from services.surveys.bootstrap import Ctx
from services.surveys.outreach import handlers
from services.surveys.outreach.schemas import NameDayRun

router = APIRouter(prefix="/internal/v1", tags=["surveys"])


@router.post("/jobs/name-days", response_model=NameDayRun)
async def run_name_days(ctx: Ctx, day: date | None = Query(None)) -> NameDayRun:
    """Plan today's (or `day`'s) name-day greetings; running it twice plans them once."""
    when = day or ctx.clock().date()
    planned = await handlers.greet_name_days(ctx, when)
    return NameDayRun(day=when.isoformat(), planned=planned)
