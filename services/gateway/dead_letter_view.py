"""Reading `<topic>.dlq` topics for the admins' DLQ view (aiokafka, no consumer group).

The gateway never commits offsets here: it reads the latest letters of each partition
with a throwaway consumer, so viewing never changes what anyone else consumes.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.messaging.topics import DLQ_SUFFIX


async def dlq_topics(bootstrap: str, prefix: str, timeout_s: float = 5.0) -> list[str]:
    """Logical names of the DLQ topics under this deployment's prefix."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    await asyncio.wait_for(admin.start(), timeout_s)
    try:
        names = await asyncio.wait_for(admin.list_topics(), timeout_s)
    finally:
        await admin.close()
    return sorted(
        n.removeprefix(prefix) for n in names if n.startswith(prefix) and n.endswith(DLQ_SUFFIX)
    )


def _header(headers: Any, name: str) -> str | None:
    for key, value in headers or ():
        if key == name:
            return bytes(value).decode(errors="replace")
    return None


async def latest_letters(
    bootstrap: str, topic: str, limit: int = 50, timeout_s: float = 5.0
) -> list[dict[str, Any]]:
    """Up to `limit` newest letters per partition of `topic` (physical name)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, request_timeout_ms=5000
    )
    await asyncio.wait_for(consumer.start(), timeout_s)
    try:
        parts = consumer.partitions_for_topic(topic) or set()
        if not parts:
            await asyncio.wait_for(consumer.topics(), timeout_s)
            parts = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        if not tps:
            return []
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        starts = await consumer.beginning_offsets(tps)
        wanted = 0
        for tp in tps:
            first = max(starts[tp], ends[tp] - limit)
            wanted += ends[tp] - first
            consumer.seek(tp, first)
        return await _read(consumer, wanted, timeout_s)
    finally:
        await consumer.stop()


async def _read(consumer: AIOKafkaConsumer, wanted: int, timeout_s: float) -> list[dict[str, Any]]:
    letters: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while len(letters) < wanted and loop.time() < deadline:
        batch = await consumer.getmany(timeout_ms=300)
        for records in batch.values():
            letters.extend(_letter(r) for r in records)
    letters.sort(key=lambda d: d["timestamp_ms"], reverse=True)
    return letters


def _letter(record: Any) -> dict[str, Any]:
    return {
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "timestamp_ms": record.timestamp,
        "reason": _header(record.headers, "x-dlq-reason"),
        "original_topic": _header(record.headers, "x-dlq-original-topic"),
        "key": record.key.decode(errors="replace") if record.key else None,
        "value": (record.value or b"").decode(errors="replace")[:4000],
    }
