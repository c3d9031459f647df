"""The periodic task: run the SLA checker and the trend detector every few seconds.

Safe in every replica at once: both are idempotent (breaches and grants are
remembered, a trend is announced once per topic, segment and week).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime

from services.complaints.dependencies import Desk
from services.complaints.handlers_sla import check_sla
from services.complaints.handlers_trends import detect_trends
from services.complaints.model_trends import iso_week
from shared.logging import get_logger

log = get_logger(__name__)


class SlaSchedule:
    def __init__(
        self, desk: Callable[[], Desk], interval_s: float, clock: Callable[[], datetime]
    ) -> None:
        self.desk = desk
        self.interval_s = interval_s
        self.clock = clock
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.interval_s > 0:
            self._task = asyncio.create_task(self._run(), name="complaints-sla-schedule")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def run_once(self) -> None:
        now = self.clock()
        await check_sla(self.desk(), now)
        await detect_trends(self.desk(), iso_week(now), now)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await self.run_once()
            except Exception as exc:  # the next round retries; nothing is half-done
                log.warning("sla_schedule_failed", error=repr(exc))
