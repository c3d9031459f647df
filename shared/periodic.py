"""A background job that runs one step every `interval_s` until the service stops.

For schedulers inside a service process (outbox relay, consumer lag, expiry, SLA
checks, delayed sends). A failing step is logged and tried again next time; it never
kills the loop. Steps must be idempotent: with several replicas each runs them (a job
whose work should happen once per period claims it first: shared/jobs.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from shared import tracing
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
        self._stopping = False

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self, timeout_s: float = 5.0) -> None:
        """Cancel the job; never hangs shutdown, even if a step swallows cancellation."""
        self._stopping = True
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        done, _ = await asyncio.wait({task}, timeout=timeout_s)
        if not done:
            log.warning("periodic_task_did_not_stop", task=self.name)
        elif not task.cancelled() and task.exception() is not None:
            log.warning("periodic_task_failed", task=self.name, error=repr(task.exception()))

    async def _run(self) -> None:
        if not self.run_first_at_once:
            await asyncio.sleep(self.interval_s)
        while not self._stopping:
            try:
                with tracing.untraced():  # a poll is no request: no trace of its own
                    await self.step()
            except Exception as exc:
                log.warning("periodic_step_failed", task=self.name, error=repr(exc))
            await asyncio.sleep(self.interval_s)
