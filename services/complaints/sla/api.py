"""The SLA checker run on demand (tests, replays, `clientele complaints check-sla`)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Query

from services.complaints.bootstrap import Context, Ctx
from services.complaints.sla.handlers import SlaCheckReport, check_sla

router = APIRouter(prefix="/internal/v1", tags=["complaints reports"])


def when(ctx: Context, now: datetime | None) -> datetime:
    if now is None:
        return ctx.clock()
    return now if now.tzinfo else now.replace(tzinfo=UTC)


@router.post("/sla/check", response_model=SlaCheckReport)
async def run_sla_check(
    ctx: Ctx,
    now: datetime | None = Query(None, description="check as of this time (tests, replays)"),
) -> SlaCheckReport:
    """Run the SLA checker once (the service also runs it every `sla_check_interval_s`)."""
    return await check_sla(ctx, when(ctx, now))
