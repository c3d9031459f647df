"""One round of the periodic job: the SLA checker, then the trend detector.

Run by a `shared.periodic.PeriodicTask` every `COMPLAINTS_SLA_CHECK_INTERVAL_S` in
every replica; each round claims its period (`shared.jobs`), so with N replicas one
of them checks each period. Both steps are idempotent besides (a breach escalates
once, a grant is remembered, a trend is announced once per topic, segment and week),
so a period redone after a replica died mid-round does no harm.
"""

from __future__ import annotations

from collections.abc import Callable

from services.complaints.bootstrap import Context
from services.complaints.sla.handlers import check_sla
from services.complaints.trends.handlers import detect_trends
from services.complaints.trends.model import iso_week
from shared.jobs import claim_interval


class SlaSchedule:
    def __init__(self, context: Callable[[], Context], interval_s: float) -> None:
        self.context = context
        self.interval_s = interval_s

    async def run_once(self) -> bool:
        """Check this period unless another replica has; True when this one did."""
        ctx = self.context()
        now = ctx.clock()
        if not await claim_interval(ctx.store, "sla", now, self.interval_s):
            return False
        await check_sla(ctx, now)
        await detect_trends(ctx, iso_week(now), now)
        return True
