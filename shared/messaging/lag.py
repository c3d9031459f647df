"""Consumer lag (end offset minus committed offset) for every subscriber, as a gauge."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from shared.metrics import CONSUMER_LAG
from shared.periodic import PeriodicTask


class ConsumerLagMonitor:
    def __init__(self, broker: KafkaBroker, service: str, interval_s: float = 10.0) -> None:
        self.broker = broker
        self.service = service
        self.task = PeriodicTask(
            "consumer-lag", interval_s, self.measure_once, run_first_at_once=False
        )

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
