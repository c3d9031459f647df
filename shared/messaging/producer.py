"""An idempotent Kafka producer that replaces itself when its idempotence state breaks.

aiokafka's idempotent producer numbers every batch per partition, and the broker
accepts only the next number. When the broker is away for longer than the
producer's `request_timeout_ms`, a batch still waiting for a partition leader
expires and fails *after* it took its sequence number (the accumulator numbers a
batch when it drains it). The broker never sees that number, so it rejects every
later batch of the partition with OutOfOrderSequenceNumber, for as long as the
process lives: the producer never recovers by itself. A producer id the broker has
forgotten (UnknownProducerId), a fenced epoch, or a producer whose sender task died
is just as beyond repair.

The cure is a new producer (a new producer id, sequences from 0): `send` stops the
broken one in the background, starts a fresh one and sends again. Consumers
deduplicate on `event_id`, so a send that is repeated after a rebuild is harmless.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    InvalidProducerEpoch,
    InvalidProducerIdMapping,
    InvalidTxnState,
    KafkaError,
    LeaderNotAvailableError,
    NotLeaderForPartitionError,
    OutOfOrderSequenceNumber,
    ProducerClosed,
    ProducerFenced,
    UnknownProducerId,
)

from shared.logging import get_logger
from shared.settings import ServiceSettings

log = get_logger(__name__)

# The producer's idempotence state is wrong or the producer is unusable.
_BROKEN: tuple[type[Exception], ...] = (
    OutOfOrderSequenceNumber,
    UnknownProducerId,
    ProducerFenced,
    InvalidProducerEpoch,
    InvalidProducerIdMapping,
    InvalidTxnState,
    ProducerClosed,
)
# Reaching the caller of an idempotent producer, these mean a batch expired without a
# leader: its sequence number is lost, the partition's next batch will be rejected.
_GAP: tuple[type[Exception], ...] = (NotLeaderForPartitionError, LeaderNotAvailableError)

RETIRE_TIMEOUT_S = 30.0


def needs_new_producer(exc: BaseException) -> bool:
    """True if no later send on this producer can succeed (see the module docstring)."""
    # A bare KafkaError is what a send raises once the sender task has died.
    return isinstance(exc, _BROKEN + _GAP) or type(exc) is KafkaError


class ResilientProducer:
    """One idempotent producer at a time, started on first use, replaced when broken."""

    def __init__(self, factory: Callable[[], AIOKafkaProducer], name: str) -> None:
        self._factory = factory
        self.name = name
        self._producer: AIOKafkaProducer | None = None
        self._generation = 0
        self._lock = asyncio.Lock()
        self._retiring: set[asyncio.Task[None]] = set()
        self.replacements = 0  # how often a broken producer was replaced (tests, logs)

    async def send_and_wait(
        self,
        topic: str,
        value: bytes,
        key: bytes | None,
        headers: Sequence[tuple[str, bytes]],
        partition: int | None = None,
    ) -> None:
        """Send one record and wait for its acknowledgement; on a broken producer,
        replace it and send once more."""
        for attempt in (1, 2):
            producer, generation = await self._current()
            try:
                await producer.send_and_wait(
                    topic, value, key=key, headers=list(headers), partition=partition
                )
                return
            except Exception as exc:
                if not needs_new_producer(exc):
                    raise
                await self._replace(generation, exc)
                if attempt == 2:
                    raise

    async def stop(self) -> None:
        """Stop the current producer and wait for replaced ones to finish stopping."""
        async with self._lock:
            producer, self._producer = self._producer, None
            self._generation += 1
        if producer is not None:
            await producer.stop()
        if self._retiring:
            await asyncio.wait(set(self._retiring))

    async def _current(self) -> tuple[AIOKafkaProducer, int]:
        producer = self._producer
        if producer is not None:
            return producer, self._generation
        async with self._lock:
            if self._producer is None:
                fresh = self._factory()
                try:
                    await fresh.start()
                except BaseException:  # the broker is away, or we were cancelled
                    await asyncio.shield(fresh.stop())
                    raise
                self._producer = fresh
            return self._producer, self._generation

    async def _replace(self, generation: int, cause: BaseException) -> None:
        """Retire the producer of `generation` unless another send already did."""
        async with self._lock:
            if generation != self._generation or self._producer is None:
                return
            old, self._producer = self._producer, None
            self._generation += 1
            self.replacements += 1
        log.warning(
            "kafka_producer_replaced",
            producer=self.name,
            replacements=self.replacements,
            cause=repr(cause),
        )
        # Stopping flushes what the old producer still holds: sends to healthy
        # partitions complete, the rest fail and their callers send again.
        task = asyncio.create_task(self._retire(old), name=f"retire-{self.name}")
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)

    async def _retire(self, producer: AIOKafkaProducer) -> None:
        try:
            await asyncio.wait_for(producer.stop(), RETIRE_TIMEOUT_S)
        except Exception as exc:
            log.warning("kafka_producer_retire_failed", producer=self.name, error=repr(exc))


def producer_options(settings: ServiceSettings) -> dict[str, Any]:
    """The options every Clientele producer uses (idempotent, acks=all)."""
    return {
        "bootstrap_servers": settings.kafka_bootstrap_servers,
        "client_id": f"clientele-{settings.service_name}",
        "enable_idempotence": True,
        "acks": "all",
        "request_timeout_ms": settings.kafka_request_timeout_ms,
        # Up to a DLQ's size: a large body that reached its topic can be parked whole.
        "max_request_size": 2 * settings.topic_max_message_bytes + 64 * 1024,
    }
