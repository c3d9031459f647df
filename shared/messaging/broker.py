"""The one way a service gets a Kafka broker, subscribers and a publisher.

- offsets are committed only after a message was processed (NACK_ON_ERROR: a
  transient failure rewinds, a poison message is parked by the DLQ middleware);
- new consumer groups start from the earliest offset;
- the producer is idempotent (acks=all, no duplicates from its own retries);
- topics are declared by `declare_topics` with their partition counts, never
  auto-created.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.coordinator.assignors.range import RangePartitionAssignor
from faststream import AckPolicy
from faststream.kafka import KafkaBroker

from shared import tracing
from shared.contracts.base import Event
from shared.logging import get_logger
from shared.messaging.correlation import HEADER as CORRELATION_HEADER
from shared.messaging.correlation import current_correlation_id
from shared.messaging.dead_letters import DeadLetterSender, dead_letter_middleware
from shared.messaging.producer import ResilientProducer, producer_options
from shared.messaging.topics import TopicNames
from shared.metrics import EVENTS_PUBLISHED
from shared.settings import ServiceSettings

log = get_logger(__name__)


# A broker's resilient producer for dead letters, when it was given one (see below).
_DEAD_LETTER_PRODUCERS: weakref.WeakKeyDictionary[KafkaBroker, ResilientProducer] = (
    weakref.WeakKeyDictionary()
)


def resilient_producer(settings: ServiceSettings) -> ResilientProducer:
    """An idempotent producer that replaces itself when broken (shared/messaging/producer.py)."""
    options = producer_options(settings)
    return ResilientProducer(lambda: AIOKafkaProducer(**options), settings.service_name)


def create_broker(
    settings: ServiceSettings, producer: ResilientProducer | None = None
) -> KafkaBroker:
    """The service's broker. Dead letters go through `producer` when given (the
    service's resilient one, which its owner stops), else through the broker's own."""
    holder: dict[str, KafkaBroker] = {}

    async def send_dead_letter(
        topic: str, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]
    ) -> None:
        await asyncio.wait_for(
            _send_dead_letter(holder["broker"], topic, key, value, headers),
            settings.kafka_send_timeout_s,
        )

    broker = KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=f"clientele-{settings.service_name}",
        enable_idempotence=True,
        acks="all",
        allow_auto_create_topics=False,
        request_timeout_ms=15000,  # consumers' too (kafka_request_timeout_ms is the publisher's)
        # Up to a DLQ's size: a large body that reached its topic can be parked whole.
        max_request_size=2 * settings.topic_max_message_bytes + 64 * 1024,
        middlewares=[
            *tracing.broker_middlewares(),  # outermost: a parked message is in its trace
            dead_letter_middleware(send_dead_letter, settings.service_name),
        ],
        logger=logging.getLogger(f"faststream.{settings.service_name}"),
        log_level=logging.DEBUG,
        graceful_timeout=10.0,
    )
    holder["broker"] = broker
    if producer is not None:
        _DEAD_LETTER_PRODUCERS[broker] = producer
    return broker


async def _send_dead_letter(
    broker: KafkaBroker,
    topic: str,
    key: bytes | None,
    value: bytes | None,
    headers: list[tuple[str, bytes]],
) -> None:
    producer = _DEAD_LETTER_PRODUCERS.get(broker)
    if producer is not None:
        await producer.send_and_wait(topic, value or b"", key, [(k, bytes(v)) for k, v in headers])
        return
    await broker.publish(
        value or b"",
        topic=topic,
        key=key,
        headers={k: bytes(v).decode(errors="replace") for k, v in headers},
    )


def dead_letter_sender(broker: KafkaBroker, timeout_s: float) -> DeadLetterSender:
    """A sender for `dead_letters.park`, for consumers that park single records of a
    batch themselves (the middleware parks a whole failed message)."""

    async def send(
        topic: str, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]
    ) -> None:
        await asyncio.wait_for(_send_dead_letter(broker, topic, key, value, headers), timeout_s)

    return send


class CoPartitioned(RangePartitionAssignor):  # type: ignore[misc]
    """Kafka's range assignment: partition N of every topic a consumer reads goes to the
    same member (over topics of equal partition counts).

    Announced under the name the groups have always used ("roundrobin", aiokafka's
    default), so members of an older release and of this one share a protocol and
    join one group during a rolling upgrade (Kafka refuses a member whose protocol no
    other member has); the group leader's own assignor decides, so once every member
    runs this release, the assignment is co-partitioned. One assignor only: aiokafka
    0.14 sends one JoinGroup per listed assignor, and two members joining at once then
    trigger each other's rebalances forever."""

    name = "roundrobin"


CO_PARTITIONED = (CoPartitioned,)


def subscriber_options(
    settings: ServiceSettings, group: str | None = None, co_partitioned: bool = False
) -> dict[str, Any]:
    """Keyword arguments for `broker.subscriber(...)` that every consumer must use.

    `co_partitioned`: partition N of every topic a consumer reads goes to the same
    member (`CoPartitioned`), e.g. loyalty's purchases and the account changes handed
    to their consumer."""
    options = {
        "group_id": f"{settings.topic_prefix}{group or settings.service_name}",
        "auto_offset_reset": "earliest",
        "ack_policy": AckPolicy.NACK_ON_ERROR,
        "max_poll_interval_ms": 120_000,
    }
    if co_partitioned:
        options["partition_assignment_strategy"] = CO_PARTITIONED
    return options


class EventPublisher:
    """Publishes contract events (keyed by client identity) with a bounded wait.

    It sends through a producer of its own (`ResilientProducer`, started on the first
    publish), not the broker's: after a broker outage aiokafka's idempotent producer
    can be stuck on OutOfOrderSequenceNumber for good, and this one replaces itself.
    Call `stop()` when done (the service lifespan does).
    """

    def __init__(
        self,
        broker: KafkaBroker,
        settings: ServiceSettings,
        producer: ResilientProducer | None = None,
    ) -> None:
        self.broker = broker
        self.topics = TopicNames(settings.topic_prefix)
        self.service = settings.service_name
        self.timeout_s = settings.kafka_send_timeout_s
        self.producer = producer or resilient_producer(settings)

    async def publish(self, event: Event) -> None:
        await self.publish_raw(event.TOPIC, event.partition_key(), event.model_dump_json().encode())

    async def publish_raw(
        self,
        logical_topic: str,
        key: str | None,
        payload: bytes,
        correlation_id: str | None = None,
        partition: int | None = None,
    ) -> None:
        """`partition`: this partition number whatever the key (else the key's)."""
        cid = correlation_id or current_correlation_id()
        headers = [
            ("content-type", b"application/json"),
            ("correlation_id", cid.encode()),  # FastStream's own header
            (CORRELATION_HEADER, cid.encode()),
        ]
        topic = self.topics(logical_topic)
        with tracing.producer_span(topic) as trace_headers:  # our producer is not FastStream's
            await asyncio.wait_for(
                self.producer.send_and_wait(
                    topic,
                    payload,
                    key.encode() if key is not None else None,
                    headers + trace_headers,
                    partition,
                ),
                self.timeout_s,
            )
        EVENTS_PUBLISHED.labels(service=self.service, topic=logical_topic).inc()

    async def stop(self) -> None:
        await self.producer.stop()
