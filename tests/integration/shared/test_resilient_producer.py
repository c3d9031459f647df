"""A producer whose sequence numbers went wrong (what a long broker outage leaves) is
replaced by the publisher; a plain aiokafka producer stays broken. Real broker."""

from __future__ import annotations

from typing import Any

import pytest
from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.errors import OutOfOrderSequenceNumber

from shared.messaging.broker import (
    EventPublisher,
    create_broker,
    dead_letter_sender,
    resilient_producer,
)
from shared.messaging.topics import declare_topics
from shared.settings import ServiceSettings
from tests.conftest import Slate
from tests.support.kafka import payloads, read_topic


def lose_a_sequence_number(producer: Any, topic: str) -> None:
    """What a batch that expired without a leader does: it takes a sequence number
    the broker never sees (aiokafka's accumulator numbers batches when it drains them)."""
    producer._txn_manager.increment_sequence_number(TopicPartition(topic, 0), 1)


async def test_plain_idempotent_producer_stays_broken_after_a_lost_sequence_number(
    slate: Slate,
) -> None:
    topic = slate.topic("client.registered")
    await declare_topics(slate.infra.kafka, [topic], 1)
    producer = AIOKafkaProducer(bootstrap_servers=slate.infra.kafka, enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"{}")
        lose_a_sequence_number(producer, topic)
        for _ in range(3):  # every later send, not just the next one
            with pytest.raises(OutOfOrderSequenceNumber):
                await producer.send_and_wait(topic, b"{}")
    finally:
        await producer.stop()


async def test_publisher_replaces_a_producer_that_lost_a_sequence_number_and_delivers(
    slate: Slate,
) -> None:
    settings = ServiceSettings(**slate.settings_kwargs("registry"), service_name="registry")
    topic = slate.topic("client.registered")
    await declare_topics(slate.infra.kafka, [topic], 1)
    publisher = EventPublisher(create_broker(settings), settings)
    try:
        await publisher.publish_raw("client.registered", "k", b'{"event_id": "first"}')
        lose_a_sequence_number(publisher.producer._producer, topic)
        await publisher.publish_raw("client.registered", "k", b'{"event_id": "second"}')
        await publisher.publish_raw("client.registered", "k", b'{"event_id": "third"}')
    finally:
        await publisher.stop()
    assert publisher.producer.replacements == 1
    records = await read_topic(slate.infra.kafka, topic, expect=3)
    assert [p["event_id"] for p in payloads(records)] == ["first", "second", "third"]
    assert dict(records[0].headers)["x-correlation-id"]  # headers as before the change


async def test_dead_letters_go_through_the_resilient_producer_and_survive_a_lost_sequence(
    slate: Slate,
) -> None:
    settings = ServiceSettings(**slate.settings_kwargs("loyalty"), service_name="loyalty")
    dlq = slate.topic("purchase.recorded.dlq")
    await declare_topics(slate.infra.kafka, [dlq], 1)
    producer = resilient_producer(settings)
    send = dead_letter_sender(create_broker(settings, producer), timeout_s=10)
    try:
        await send(dlq, b"k", b'{"event_id": "first"}', [("x-dlq-reason", b"bad")])
        lose_a_sequence_number(producer._producer, dlq)
        await send(dlq, b"k", b'{"event_id": "second"}', [("x-dlq-reason", b"bad")])
    finally:
        await producer.stop()
    assert producer.replacements == 1
    records = await read_topic(slate.infra.kafka, dlq, expect=2)
    assert [p["event_id"] for p in payloads(records)] == ["first", "second"]
    assert dict(records[1].headers)["x-dlq-reason"] == b"bad"
