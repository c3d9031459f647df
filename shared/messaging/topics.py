"""Topic names and their declaration at start (topics are never auto-created)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from shared.logging import get_logger

log = get_logger(__name__)

DLQ_SUFFIX = ".dlq"


class TopicNames:
    """Resolves logical topic names (`client.registered`) to physical ones.

    A prefix keeps test runs (and tenants sharing a cluster) apart.
    """

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix

    def __call__(self, logical: str) -> str:
        return f"{self.prefix}{logical}"

    def dlq(self, logical: str) -> str:
        return self(logical + DLQ_SUFFIX)

    def logical(self, physical: str) -> str:
        return physical.removeprefix(self.prefix)


async def declare_topics(
    bootstrap_servers: str,
    topics: Iterable[str],
    partitions: int,
    *,
    timeout_s: float = 30.0,
    max_message_bytes: int | None = None,
    retention: Retention | None = None,
) -> None:
    """Create each topic (and its DLQ) with `partitions` partitions if it is missing.

    `max_message_bytes` sets the topic-level `max.message.bytes` (the broker's default
    is ~1 MB) so a large body reaches the topic and can be parked whole: a DLQ gets
    twice the limit, room for the original bytes plus the reason headers.
    `retention` sets `retention.ms`: records carry personal data (`client.*`,
    `purchase.*` with phones and card numbers, DLQ copies of both) and cannot be
    edited, so how long they live is bounded and configured (docs/privacy.md).
    """
    wanted = sorted({t for topic in topics for t in (topic, topic + DLQ_SUFFIX)})
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=15000)
    await asyncio.wait_for(admin.start(), timeout_s)
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if not missing:
            return
        new = [
            NewTopic(
                t,
                num_partitions=partitions,
                replication_factor=1,
                topic_configs=topic_config(t, max_message_bytes, retention),
            )
            for t in missing
        ]
        # Another replica may have declared them first.
        with contextlib.suppress(TopicAlreadyExistsError):
            await admin.create_topics(new, timeout_ms=int(timeout_s * 1000))
        log.info("topics_declared", topics=missing, partitions=partitions)
    finally:
        await admin.close()


@dataclass(frozen=True)
class Retention:
    """How long Kafka keeps records: of a topic, and of a dead-letter topic."""

    topic_ms: int
    dlq_ms: int

    @classmethod
    def hours(cls, topic_h: float, dlq_h: float) -> Retention:
        return cls(int(topic_h * 3_600_000), int(dlq_h * 3_600_000))


def topic_config(
    topic: str, max_message_bytes: int | None, retention: Retention | None
) -> dict[str, str]:
    """The topic-level configs a declared topic is created with."""
    dlq = topic.endswith(DLQ_SUFFIX)
    config = {}
    if max_message_bytes is not None:
        config["max.message.bytes"] = str(max_message_bytes * 2 if dlq else max_message_bytes)
    if retention is not None:
        config["retention.ms"] = str(retention.dlq_ms if dlq else retention.topic_ms)
    return config
