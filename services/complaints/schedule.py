"""One round of the periodic job: the SLA checker, then the trend detector.

Run by a `shared.periodic.PeriodicTask` every `COMPLAINTS_SLA_CHECK_INTERVAL_S` in
every replica; each round claims its period (`shared.jobs`), so with N replicas one
of them checks each period. Both steps are idempotent besides (a breach escalates
once, a grant is remembered, a trend is announced once per topic, segment and week),
so a period redone after a replica died mid-round does no harm.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.complaints.bootstrap import Desk
from services.complaints.sla.handlers import check_sla
from services.complaints.trends.handlers import detect_trends
from services.complaints.trends.model import iso_week
from shared.jobs import claim_interval

Db = AsyncDatabase[dict[str, Any]]


class SlaSchedule:
    def __init__(
        self,
        desk: Callable[[], Desk],
        clock: Callable[[], datetime],
        db: Callable[[], Db],
        interval_s: float,
    ) -> None:
        self.desk = desk
        self.clock = clock
        self.db = db
        self.interval_s = interval_s

    async def run_once(self) -> bool:
        """Check this period unless another replica has; True when this one did."""
        now = self.clock()
        if not await claim_interval(self.db(), "sla", now, self.interval_s):
            return False
        await check_sla(self.desk(), now)
        await detect_trends(self.desk(), iso_week(now), now)
        return True
