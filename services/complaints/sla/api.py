"""The SLA checker run on demand (tests, replays, `clientele complaints check-sla`)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Query, Request

from services.complaints.bootstrap import desk_of, utc_now
from services.complaints.sla.handlers import SlaCheckReport, check_sla

router = APIRouter(prefix="/internal/v1", tags=["complaints reports"])


def when(now: datetime | None) -> datetime:
    if now is None:
        return utc_now()
    return now if now.tzinfo else now.replace(tzinfo=UTC)


@router.post("/sla/check", response_model=SlaCheckReport)
async def run_sla_check(
    request: Request,
    now: datetime | None = Query(None, description="check as of this time (tests, replays)"),
) -> SlaCheckReport:
    """Run the SLA checker once (the service also runs it every `sla_check_interval_s`)."""
    return await check_sla(desk_of(request), when(now))
