"""A background job that runs one step every `interval_s` until the service stops.

For schedulers inside a service process (outbox relay, consumer lag, expiry, SLA
checks, delayed sends). A failing step is logged and tried again next time; it never
kills the loop. Steps must be idempotent: with several replicas each runs them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from shared.logging import get_logger

log = get_logger(__name__)


class PeriodicTask:
    def __init__(
        self,
        name: str,
        interval_s: float,
        step: Callable[[], Awaitable[Any]],
        *,
        run_first_at_once: bool = True,
    ) -> None:
        self.name = name
        self.interval_s = interval_s
        self.step = step
        self.run_first_at_once = run_first_at_once
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        if not self.run_first_at_once:
            await asyncio.sleep(self.interval_s)
        while True:
            try:
                await self.step()
            except Exception as exc:
                log.warning("periodic_step_failed", task=self.name, error=repr(exc))
            await asyncio.sleep(self.interval_s)
