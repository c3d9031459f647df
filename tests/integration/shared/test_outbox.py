"""The outbox on the real store and broker: published once, then cleared; a crash's
leftovers are published by the relay."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from shared.contracts import ClientRegistered
from shared.messaging.broker import EventPublisher, create_broker
from shared.messaging.topics import declare_topics
from shared.settings import ServiceSettings
from shared.store.outbox import MARKERS, OUTBOX_FIELD, Outbox
from tests.conftest import Slate
from tests.support.kafka import payloads, read_topic


@pytest.fixture
async def outbox(slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]) -> AsyncIterator[Outbox]:
    """An outbox on the registry's store, publishing through a started broker."""
    settings = ServiceSettings(**slate.settings_kwargs("registry"), service_name="registry")
    await declare_topics(slate.infra.kafka, [slate.topic("client.registered")], 1)
    broker = create_broker(settings)
    await broker.start()
    publisher = EventPublisher(broker, settings)
    try:
        yield Outbox(mongo[slate.db_name("registry")], publisher)
    finally:
        await publisher.stop()
        await broker.stop()


async def test_after_publishing_the_document_holds_no_pending_events_and_no_marker(
    slate: Slate, outbox: Outbox
) -> None:
    db = outbox.db
    first = ClientRegistered(client_id="o-1", name="Ada")
    entries = await outbox.insert("clients", {"_id": "o-1", "name": "Ada"}, [first])
    await outbox.flush("clients", "o-1", entries)
    second = ClientRegistered(client_id="o-1", name="Ada L")
    await outbox.update("clients", "o-1", {"$set": {"name": "Ada L"}}, [second])
    await outbox.flush("clients", "o-1")
    assert await outbox.relay_once() == 0  # nothing left to publish again
    doc = await db.clients.find_one({"_id": "o-1"})
    assert doc is not None and doc[OUTBOX_FIELD] == [] and doc["name"] == "Ada L"
    assert await db[MARKERS].count_documents({}) == 0
    records = await read_topic(slate.infra.kafka, slate.topic("client.registered"), expect=2)
    assert [p["event_id"] for p in payloads(records)] == [str(first.event_id), str(second.event_id)]


async def test_relay_publishes_what_a_crash_left_between_write_and_publish(
    slate: Slate, outbox: Outbox
) -> None:
    event = ClientRegistered(client_id="o-2", name="Grace")
    await outbox.insert("clients", {"_id": "o-2"}, [event])  # ...and the process died
    assert await outbox.relay_once() == 1
    assert await outbox.relay_once() == 0
    assert await outbox.db[MARKERS].count_documents({}) == 0
    records = await read_topic(slate.infra.kafka, slate.topic("client.registered"), expect=1)
    assert payloads(records)[0]["event_id"] == str(event.event_id)


async def test_relay_leaves_a_fresh_write_to_its_writer_and_takes_it_after_the_grace(
    outbox: Outbox,
) -> None:
    await outbox.insert("clients", {"_id": "o-3"}, [ClientRegistered(client_id="o-3", name="A")])
    assert await outbox.relay_once(min_age_s=60) == 0  # the writer is still flushing
    assert await outbox.relay_once(min_age_s=0) == 1  # ...it never did: the relay does
