"""Kafka restarted while the outbox publishes: every event arrives, no process restart.

A broker outage longer than the producer's request timeout used to leave the
idempotent producer rejected with OutOfOrderSequenceNumber for good (a batch expired
after taking its sequence number); the outbox relay then never delivered again. The
publisher now replaces a broken producer. Runs on the private Kafka + FerretDB.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

from pymongo import AsyncMongoClient

from shared.contracts import ClientRegistered
from shared.messaging.broker import EventPublisher, create_broker
from shared.messaging.topics import declare_topics
from shared.settings import ServiceSettings
from shared.store.outbox import MARKERS, Outbox, outbox_relay
from tests.conftest import Slate
from tests.reliability.conftest import PrivateInfra
from tests.reliability.sizing import FULL, report
from tests.support.kafka import eventually, topic_reader

HEARTBEAT = "restart.heartbeat"
REQUEST_TIMEOUT_MS = 3_000  # an outage longer than this is what broke the producer
OUTAGE_S = 10.0 if FULL else 3.0
# Events written before the outage, at most during it (however long Kafka takes to
# stop and start on a busy box), and after it: a bounded backlog for the relay.
PHASE = 500 if FULL else 100
WRITERS = 4
PACE_S = 0.02 if FULL else 0.1  # between one writer's events


async def event_ids_on(bootstrap: str, topic: str, expected: set[str]) -> tuple[set[str], int]:
    """Read `topic` from the start until every expected event_id is seen (or 60 s pass);
    returns the distinct event_ids and the number of records read."""
    seen: set[str] = set()
    records = 0
    async with topic_reader(bootstrap, topic) as consumer:
        deadline = time.monotonic() + 60
        while not expected <= seen and time.monotonic() < deadline:
            for part in (await consumer.getmany(timeout_ms=500)).values():
                records += len(part)
                seen.update(json.loads(r.value)["event_id"] for r in part if r.value)
    return seen, records


async def test_outbox_delivers_every_event_after_a_broker_restart_without_a_process_restart(
    private_infra: PrivateInfra,
    private_slate: Slate,
    mongo_private: AsyncMongoClient[dict[str, Any]],
) -> None:
    settings = ServiceSettings(
        **private_slate.settings_kwargs("registry"),
        service_name="registry",
        kafka_send_timeout_s=2.0,
        kafka_request_timeout_ms=REQUEST_TIMEOUT_MS,
    )
    topic = private_slate.topic(ClientRegistered.TOPIC)
    await declare_topics(
        settings.kafka_bootstrap_servers, [topic, private_slate.topic(HEARTBEAT)], 3
    )
    publisher = EventPublisher(create_broker(settings), settings)
    db = mongo_private[private_slate.db_name("registry")]
    outbox = Outbox(db, publisher)
    relay = outbox_relay(outbox, interval_s=0.2)
    written: list[str] = []
    writing = True
    quota = PHASE  # events the writers may have written so far

    async def writer(desk: int) -> None:
        n = 0
        while writing:
            if len(written) >= quota:
                await asyncio.sleep(0.05)
                continue
            doc_id = f"c-{desk}-{n}"
            event = ClientRegistered(client_id=doc_id, name="Restart")
            entries = await outbox.insert("clients", {"_id": doc_id}, [event])
            written.append(str(event.event_id))
            await outbox.flush_quietly("clients", doc_id, entries)  # on failure: the relay
            n += 1
            await asyncio.sleep(PACE_S)  # a steady front desk, not a flood

    async def written_at_least(n: int) -> bool:
        return len(written) >= n

    async def heartbeat() -> None:
        # Frequent sends, so one is in flight when the broker shuts down and the
        # producer learns "no leader" (the path that breaks it); not counted.
        while writing:
            with contextlib.suppress(Exception):
                await publisher.publish_raw(HEARTBEAT, None, b"{}")
            await asyncio.sleep(0.01)

    relay.start()
    desks = [asyncio.create_task(writer(d)) for d in range(WRITERS)]
    desks.append(asyncio.create_task(heartbeat()))
    try:
        await eventually(lambda: written_at_least(PHASE), timeout_s=60)
        quota += PHASE
        stopped_s = await asyncio.to_thread(private_infra.run, "stop-kafka")
        await asyncio.sleep(OUTAGE_S)
        up_s = await asyncio.to_thread(private_infra.run, "up")
        back, during = time.monotonic(), len(written) - PHASE
        quota = len(written) + PHASE
        await eventually(lambda: written_at_least(quota), timeout_s=120)
        writing = False
        await asyncio.gather(*desks)

        async def outbox_empty() -> bool:
            return await db[MARKERS].count_documents({}) == 0

        await eventually(outbox_empty, timeout_s=120)
        delivered_s = time.monotonic() - back
    finally:
        writing = False
        await relay.stop()
        await publisher.stop()
    seen, records = await event_ids_on(settings.kafka_bootstrap_servers, topic, set(written))
    report(
        "broker restart while publishing",
        events=len(written),
        written_during_outage=during,
        delivered=len(seen & set(written)),
        lost=len(set(written) - seen),
        duplicate_records=records - len(seen),
        producer_replacements=publisher.producer.replacements,
        outage_s=round(stopped_s + OUTAGE_S + up_s, 1),
        all_delivered_after_restart_s=round(delivered_s, 1),
    )
    assert set(written) <= seen  # 0 lost
    # Whether this outage broke the producer depends on timing (a send in flight as
    # the broker shuts down, or a partition without a leader just after it starts);
    # `producer_replacements` says if it did. The replacement itself is proven
    # deterministically in tests/integration/shared/test_resilient_producer.py.
