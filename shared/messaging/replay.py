"""Replaying parked events: `<topic>.dlq` back onto `<topic>` after a fix.

A replay reads the DLQ with its own consumer group (`<prefix>dlq-replay.<topic>`), so
each parked record is replayed once per group; `from_beginning` uses a fresh group
and replays everything again. It stops at the end offsets it saw when it started, so
what a still-broken consumer parks again during the replay waits for the next one.
The original key, bytes and headers are republished (without the `x-dlq-*` headers,
plus `x-dlq-replayed-from`); consumers are idempotent on `event_id`, so replaying
twice changes nothing.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from uuid import uuid4

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from shared.logging import get_logger
from shared.messaging.topics import DLQ_SUFFIX, TopicNames

log = get_logger(__name__)


@dataclass
class ReplayReport:
    dlq: str
    target: str
    replayed: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False


def replay_headers(record: ConsumerRecord[bytes, bytes]) -> list[tuple[str, bytes]]:
    kept = [(k, bytes(v)) for k, v in record.headers or () if not k.startswith("x-dlq-")]
    origin = f"{record.topic}:{record.partition}:{record.offset}"
    return [*kept, ("x-dlq-replayed-from", origin.encode())]


def reason_of(record: ConsumerRecord[bytes, bytes]) -> str:
    for key, value in record.headers or ():
        if key == "x-dlq-reason":
            return bytes(value).decode(errors="replace").split(":", 1)[0]
    return "unknown"


async def _end_offsets(consumer: AIOKafkaConsumer, dlq: str) -> dict[TopicPartition, int]:
    await consumer.topics()  # loads the cluster metadata
    partitions = consumer.partitions_for_topic(dlq) or set()
    tps = [TopicPartition(dlq, p) for p in partitions]
    return dict(await consumer.end_offsets(tps)) if tps else {}


async def replay_dead_letters(
    bootstrap_servers: str,
    topic: str,
    *,
    prefix: str = "",
    limit: int | None = None,
    dry_run: bool = False,
    from_beginning: bool = False,
    timeout_s: float = 60.0,
) -> ReplayReport:
    """Republish what `<topic>.dlq` holds onto `<topic>` (logical names, `prefix` added)."""
    names = TopicNames(prefix)
    dlq, target = names(topic + DLQ_SUFFIX), names(topic)
    group = names(f"dlq-replay.{topic}") + (f".{uuid4().hex[:8]}" if from_beginning else "")
    report = ReplayReport(dlq, target, dry_run=dry_run)
    consumer = AIOKafkaConsumer(
        dlq,
        bootstrap_servers=bootstrap_servers,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_partition_fetch_bytes=16 * 1024 * 1024,
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        enable_idempotence=True,
        max_request_size=16 * 1024 * 1024,
    )
    await asyncio.wait_for(consumer.start(), timeout_s)
    await asyncio.wait_for(producer.start(), timeout_s)
    try:
        await _replay(consumer, producer, report, limit, timeout_s)
    finally:
        await consumer.stop()
        await producer.stop()
    log.info("dead_letters_replayed", dlq=dlq, replayed=report.replayed, dry_run=dry_run)
    return report


async def _replay(
    consumer: AIOKafkaConsumer,
    producer: AIOKafkaProducer,
    report: ReplayReport,
    limit: int | None,
    timeout_s: float,
) -> None:
    ends = await _end_offsets(consumer, report.dlq)
    if not any(ends.values()):
        return  # no DLQ, or nothing ever parked
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while loop.time() < deadline and (limit is None or report.replayed < limit):
        positions = {tp: await consumer.position(tp) for tp in consumer.assignment()}
        if consumer.assignment() and all(positions[tp] >= ends.get(tp, 0) for tp in positions):
            return  # everything parked before the start has been replayed
        batch = await consumer.getmany(timeout_ms=500, max_records=500)
        for tp, records in batch.items():
            for record in records:
                if record.offset >= ends.get(tp, 0):
                    continue
                if limit is not None and report.replayed >= limit:
                    break
                reason = reason_of(record)
                report.reasons[reason] = report.reasons.get(reason, 0) + 1
                if not report.dry_run:
                    await producer.send_and_wait(
                        report.target, record.value, key=record.key, headers=replay_headers(record)
                    )
                report.replayed += 1
                if not report.dry_run:
                    await consumer.commit({tp: record.offset + 1})
