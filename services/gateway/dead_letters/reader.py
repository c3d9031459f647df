"""Reading `<topic>.dlq` topics for the admins' DLQ view (aiokafka, no consumer group).

The gateway never commits offsets here: it reads with a throwaway consumer that is
assigned the partitions, so viewing never changes what anyone else consumes.

Letters are shown newest first across partitions, a page at a time. A page's cursor
(`before`) is one offset per partition, `"0:17,1:4,2:9"`: the next page holds letters
below those offsets only, so a letter parked while an admin pages never shifts a page.
"""

from __future__ import annotations

import asyncio
import heapq
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.messaging.topics import DLQ_SUFFIX


class UnknownTopic(LookupError):
    """The broker has no topic of that name."""


class BadCursor(ValueError):
    """A `before` cursor that is not `partition:offset[,partition:offset…]`."""


@dataclass(frozen=True)
class LetterPage:
    letters: list[dict[str, Any]]
    held: int  # letters the topic holds now, on every partition
    next_before: str | None  # None: nothing older is left


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


def parse_cursor(text: str | None) -> dict[int, int]:
    """`"0:17,1:4"` -> {0: 17, 1: 4}; empty or None -> {} (start at the newest)."""
    if not text:
        return {}
    try:
        pairs = (part.split(":") for part in text.split(","))
        cursor = {int(p): int(o) for p, o in pairs}
    except ValueError as exc:
        raise BadCursor("before: expected partition:offset pairs such as 0:17,1:4") from exc
    if any(p < 0 or o < 0 for p, o in cursor.items()):
        raise BadCursor("before: partitions and offsets are not negative")
    return cursor


def _format_cursor(cursor: dict[int, int]) -> str:
    return ",".join(f"{p}:{o}" for p, o in sorted(cursor.items()))


async def _partitions(bootstrap: str, topic: str, timeout_s: float) -> list[int]:
    # The consumer's `topics()` fetches metadata into a throwaway object (aiokafka
    # 0.14), so `partitions_for_topic` stayed None and every page came back empty:
    # ask the admin client, which answers for the named topic.
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    await asyncio.wait_for(admin.start(), timeout_s)
    try:
        [described] = await asyncio.wait_for(admin.describe_topics([topic]), timeout_s)
    finally:
        await admin.close()
    if described.get("error_code") or not described.get("partitions"):
        raise UnknownTopic(topic)
    return sorted(int(p["partition"]) for p in described["partitions"])


def _header(headers: Any, name: str) -> str | None:
    for key, value in headers or ():
        if key == name:
            return bytes(value).decode(errors="replace")
    return None


async def read_letters(
    bootstrap: str,
    topic: str,
    limit: int = 50,
    before: dict[int, int] | None = None,
    timeout_s: float = 5.0,
) -> LetterPage:
    """One page of `topic` (physical name): the `limit` newest letters below `before`."""
    parts = await _partitions(bootstrap, topic, timeout_s)
    tps = [TopicPartition(topic, p) for p in parts]
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, request_timeout_ms=5000
    )
    await asyncio.wait_for(consumer.start(), timeout_s)
    try:
        consumer.assign(tps)
        starts = await consumer.beginning_offsets(tps)
        ends = await consumer.end_offsets(tps)
        stops = {tp: min(ends[tp], (before or {}).get(tp.partition, ends[tp])) for tp in tps}
        for tp in tps:  # `limit` letters per partition cover any mix on the page
            consumer.seek(tp, max(starts[tp], stops[tp] - limit))
        read = await _read(consumer, stops, timeout_s)
    finally:
        await consumer.stop()
    held = sum(ends[tp] - starts[tp] for tp in tps)
    return _page(read, limit, {tp.partition: stops[tp] for tp in tps}, starts, held)


async def _read(
    consumer: AIOKafkaConsumer, stops: dict[TopicPartition, int], timeout_s: float
) -> dict[int, list[Any]]:
    """Every record up to `stops` of each assigned partition, by partition."""
    read: dict[int, list[Any]] = {tp.partition: [] for tp in stops}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    pending = {tp for tp in stops if await consumer.position(tp) < stops[tp]}
    while pending and loop.time() < deadline:
        batch = await consumer.getmany(*pending, timeout_ms=300)
        for tp, records in batch.items():
            read[tp.partition].extend(r for r in records if r.offset < stops[tp])
        pending = {tp for tp in pending if await consumer.position(tp) < stops[tp]}
    return read


def _page(
    read: dict[int, list[Any]],
    limit: int,
    stops: dict[int, int],
    starts: dict[TopicPartition, int],
    held: int,
) -> LetterPage:
    # Merging per-partition lists (each newest offset first) keeps what a page takes
    # from a partition a run of its newest letters, so one offset per partition is
    # an exact cursor even when producer timestamps are not in offset order.
    newest_first = [sorted(records, key=lambda r: -r.offset) for records in read.values()]
    merged = heapq.merge(*newest_first, key=lambda r: -r.timestamp)
    taken = [r for _, r in zip(range(limit), merged, strict=False)]
    cursor = dict(stops)
    for record in taken:
        cursor[record.partition] = min(cursor[record.partition], record.offset)
    first = {tp.partition: offset for tp, offset in starts.items()}
    older_left = any(cursor[p] > first[p] for p in cursor)
    next_before = _format_cursor(cursor) if older_left else None
    return LetterPage([_letter(r) for r in taken], held, next_before)


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
