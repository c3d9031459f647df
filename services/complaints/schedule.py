"""One round of the periodic job: the SLA checker, then the trend detector.

Run by a `shared.periodic.PeriodicTask` every `COMPLAINTS_SLA_CHECK_INTERVAL_S`; safe in
every replica at once, as both are idempotent (breaches and grants are remembered, a
trend is announced once per topic, segment and week).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from services.complaints.dependencies import Desk
from services.complaints.handlers_sla import check_sla
from services.complaints.handlers_trends import detect_trends
from services.complaints.model_trends import iso_week


class SlaSchedule:
    def __init__(self, desk: Callable[[], Desk], clock: Callable[[], datetime]) -> None:
        self.desk = desk
        self.clock = clock

    async def run_once(self) -> None:
        now = self.clock()
        await check_sla(self.desk(), now)
        await detect_trends(self.desk(), iso_week(now), now)
