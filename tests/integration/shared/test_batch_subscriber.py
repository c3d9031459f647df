"""A batch subscriber built the project's way hands the raw records over undecoded
(bad JSON included) and counts every record it consumed."""

from __future__ import annotations

from typing import Any

from faststream import NoCast
from faststream.kafka.annotations import KafkaMessage

from shared.messaging.batches import raw_batch, records_of
from shared.messaging.broker import create_broker, subscriber_options
from shared.messaging.topics import declare_topics
from shared.metrics import MESSAGES_CONSUMED
from shared.settings import ServiceSettings
from tests.conftest import Slate
from tests.support.kafka import eventually, produce


async def test_a_batch_arrives_as_raw_records_and_every_record_is_counted(slate: Slate) -> None:
    settings = ServiceSettings(**slate.settings_kwargs("batchtest"), service_name="batchtest")
    topic = slate.topic("batch.raw")
    await declare_topics(settings.kafka_bootstrap_servers, [topic], 1)
    bodies = [b'{"n": 1}', b"not json", b'{"n": 3}']
    for body in bodies:
        await produce(slate.infra.kafka, topic, body)
    counted = MESSAGES_CONSUMED.labels(service="batchtest", topic=topic)
    before = counted._value.get()
    seen: list[Any] = []
    broker = create_broker(settings)

    @broker.subscriber(  # type: ignore[untyped-decorator,unused-ignore]
        topic, batch=True, **raw_batch(), **subscriber_options(settings)
    )
    async def on_batch(records: NoCast[list[Any]], message: KafkaMessage) -> None:
        assert message.raw_message == records  # the whole batch, not just its first record
        seen.extend(r.value for r in records_of(records))

    await broker.start()
    try:
        await eventually(lambda: _true(len(seen) >= len(bodies)), timeout_s=60)
        await eventually(lambda: _true(counted._value.get() - before >= len(bodies)))
    finally:
        await broker.stop()
    assert seen == bodies
    assert counted._value.get() - before == len(bodies)


async def _true(value: bool) -> bool:
    return value
