"""Consumer lag (end offset minus committed offset) for every subscriber, as a gauge."""

from __future__ import annotations

import asyncio
import contextlib

from faststream.kafka import KafkaBroker

from shared.logging import get_logger
from shared.metrics import CONSUMER_LAG

log = get_logger(__name__)


class ConsumerLagMonitor:
    def __init__(self, broker: KafkaBroker, service: str, interval_s: float = 10.0) -> None:
        self.broker = broker
        self.service = service
        self.interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="consumer-lag")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def measure_once(self) -> dict[tuple[str, int], int]:
        lags: dict[tuple[str, int], int] = {}
        for subscriber in self.broker.subscribers:
            consumer = getattr(subscriber, "consumer", None)
            if consumer is None:
                continue
            assigned = list(consumer.assignment())
            if not assigned:
                continue
            ends = await consumer.end_offsets(assigned)
            for tp in assigned:
                committed = await consumer.committed(tp) or 0
                lag = max(0, ends[tp] - committed)
                lags[(tp.topic, tp.partition)] = lag
                CONSUMER_LAG.labels(self.service, tp.topic, str(tp.partition)).set(lag)
        return lags

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await self.measure_once()
            except Exception as exc:
                log.debug("consumer_lag_unavailable", error=repr(exc))
