"""A consumer that loses partitions in a rebalance finishes what it is applying first.

Kafka hands a revoked partition to another consumer as soon as every member has
rejoined; aiokafka awaits `on_partitions_revoked` before this one rejoins. Waiting
there for the service's write lock (held while a batch's unit of work is applied)
means the partition's next owner starts, and replays any journal it finds open, only
after this process has stopped writing the partition's documents: one writer per key
(FerretDB does not make concurrent updates of one document atomic).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from aiokafka.abc import ConsumerRebalanceListener

from shared.logging import get_logger

log = get_logger(__name__)


class FenceOnRevoke(ConsumerRebalanceListener):  # type: ignore[misc]
    """`lock()`: the service's write lock (built at start, after the subscribers)."""

    def __init__(self, lock: Callable[[], asyncio.Lock]) -> None:
        self.lock = lock

    async def on_partitions_revoked(self, revoked: Any) -> None:
        async with self.lock():  # the batch being applied, if any, is finished
            parts = sorted(f"{tp.topic}:{tp.partition}" for tp in revoked)
            log.info("partitions_revoked_after_writes", partitions=parts)

    async def on_partitions_assigned(self, assigned: Any) -> None:
        return None
