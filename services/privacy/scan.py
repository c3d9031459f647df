"""Where one client's personal data exists: every collection of every service
database, service log files, and Kafka topics (records within their retention).

An admin tool, so it scans: every document of every collection (batched reads), every
line of every log, every record of every topic of this deployment (its prefix).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from bson import json_util
from pymongo import AsyncMongoClient

from services.privacy.traces import PersonalData


@dataclass(frozen=True)
class Place:
    """One place holding the client's data: `where` names it, `kinds` says what."""

    source: str  # "store", "log" or "kafka"
    where: str
    kinds: tuple[str, ...]
    expires: datetime | None = None  # Kafka: when retention deletes the record


async def scan_stores(
    client: AsyncMongoClient[dict[str, Any]], databases: Iterable[str], pii: PersonalData
) -> list[Place]:
    found = []
    for name in databases:
        db = client[name]
        for collection in sorted(await db.list_collection_names()):
            async for doc in db[collection].find({}, batch_size=500):
                if kinds := pii.kinds_in(json_util.dumps(doc)):
                    where = f"{name}.{collection} _id={doc['_id']}"
                    found.append(Place("store", where, tuple(kinds)))
    return found


def scan_logs(paths: Iterable[Path], pii: PersonalData) -> list[Place]:
    found = []
    for path in paths:
        with path.open(errors="replace") as lines:
            for number, line in enumerate(lines, 1):
                if kinds := pii.kinds_in(line):
                    found.append(Place("log", f"{path}:{number}", tuple(kinds)))
    return found


def log_files(given: Sequence[Path], run_dir: Path) -> list[Path]:
    """The files given (a folder: its `*.log`), else the `make run` service logs."""
    paths = list(given) or [run_dir / "logs"]
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.log")) if path.is_dir() else [path])
    return [f for f in files if f.is_file()]


async def _retention_ms(admin: AIOKafkaAdminClient, topics: list[str]) -> dict[str, int]:
    wanted = [ConfigResource(ConfigResourceType.TOPIC, t) for t in topics]
    found: dict[str, int] = {}
    responses: list[Any] = await admin.describe_configs(wanted)
    for response in responses:
        for _code, _msg, _type, name, entries in response.resources:
            found[name] = next((int(v) for k, v, *_ in entries if k == "retention.ms"), -1)
    return found


async def scan_topics(
    bootstrap: str, prefix: str, pii: PersonalData, timeout_s: float = 60.0
) -> list[Place]:
    """Every record of every topic whose name starts with `prefix` (internal ones
    excepted), read from the beginning to the end offsets at the start of the scan."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        topics = [t for t in await admin.list_topics() if t.startswith(prefix)]
        topics = [t for t in topics if not t.startswith("__")]
        if not topics:
            return []
        retention = await _retention_ms(admin, topics)
        described: list[dict[str, Any]] = await admin.describe_topics(topics)
    finally:
        await admin.close()
    partitions = [
        TopicPartition(d["topic"], p["partition"]) for d in described for p in d["partitions"]
    ]
    if not partitions:
        return []
    return await asyncio.wait_for(_read_all(bootstrap, partitions, retention, pii), timeout_s)


async def _read_all(
    bootstrap: str, partitions: list[TopicPartition], retention: dict[str, int], pii: PersonalData
) -> list[Place]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        left = {tp for tp in partitions if ends[tp] > await consumer.position(tp)}
        found: list[Place] = []
        while left:
            batches = await consumer.getmany(*left, timeout_ms=1000)
            for tp, records in batches.items():
                for r in records:
                    found.extend(_record_place(r, retention.get(tp.topic, -1), pii))
                if await consumer.position(tp) >= ends[tp]:
                    left.discard(tp)
        return found
    finally:
        await consumer.stop()


def _record_place(record: Any, retention_ms: int, pii: PersonalData) -> list[Place]:
    parts = [record.key or b"", record.value or b""]
    parts += [v for _k, v in record.headers or ()]
    text = "\n".join(bytes(p).decode(errors="replace") for p in parts)
    kinds = pii.kinds_in(text)
    if not kinds:
        return []
    written = datetime.fromtimestamp(record.timestamp / 1000, UTC)
    expires = written + timedelta(milliseconds=retention_ms) if retention_ms >= 0 else None
    where = f"{record.topic}[{record.partition}]@{record.offset}"
    return [Place("kafka", where, tuple(kinds), expires)]
