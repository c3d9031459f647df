"""The message pipeline (shared/messaging/pipeline.py) on the real store and broker:
its steps in their order, with stand-in handlers that record what they were given."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from aiokafka import ConsumerRecord

from shared.contracts.pos import ClientRef, PurchaseLine, PurchaseRecorded
from shared.contracts.registry import ClientRegistered
from shared.messaging.pipeline import Dedup, HandlerTable, Pipeline
from shared.messaging.topics import declare_topics
from shared.messaging.waiting import ClientNotKnownYet
from shared.service import ServiceRuntime
from shared.settings import ServiceSettings
from tests.conftest import Slate
from tests.support.kafka import eventually, produce, read_topic

TOPICS = [ClientRegistered.TOPIC, PurchaseRecorded.TOPIC]


class Shop:
    """Stand-in handlers: a purchase needs its client registered first."""

    def __init__(self) -> None:
        self.clients: set[str] = set()
        self.applied: Counter[str] = Counter()  # purchase id -> times its handler passed
        self.writing = asyncio.Event()  # a purchase handler is in its write

    async def register(self, event: ClientRegistered) -> list[str]:
        await asyncio.sleep(0.01)
        self.clients.add(event.client_id)
        return [f"client:{event.client_id}"]

    async def purchase(self, event: PurchaseRecorded) -> None:
        client_id = event.client.client_id if event.client else None
        if client_id not in self.clients:
            raise ClientNotKnownYet([f"client:{client_id}"])
        self.writing.set()
        await asyncio.sleep(0.2)  # a slow write: room for a racer to overtake
        self.applied[event.purchase_id] += 1

    async def known(self, keys: Sequence[str]) -> bool:
        return any(k.removeprefix("client:") in self.clients for k in keys)

    def table(self) -> HandlerTable:
        table = HandlerTable()
        table.add(ClientRegistered, self.register)
        table.add(PurchaseRecorded, self.purchase)
        return table


@asynccontextmanager
async def pipeline_of(
    slate: Slate,
    shop: Shop,
    service: str = "surveys",
    *,
    batch_size: int = 100,
    table: HandlerTable | None = None,
) -> AsyncIterator[Pipeline]:
    settings = ServiceSettings(**slate.settings_kwargs(service), service_name=service)
    runtime = ServiceRuntime(settings, TOPICS)
    await declare_topics(settings.kafka_bootstrap_servers, [slate.topic(t) for t in TOPICS], 1)
    await runtime.open_store()
    try:
        yield Pipeline(table or shop.table(), runtime, shop.known, batch_size=batch_size)
    finally:
        await runtime.publisher.stop()
        await runtime.close_store()


def record(
    slate: Slate, event: ClientRegistered | PurchaseRecorded, offset: int = 0, body: bytes = b""
) -> Any:
    body = body or event.model_dump_json().encode()
    return ConsumerRecord(
        topic=slate.topic(event.TOPIC), partition=0, offset=offset, timestamp=0,
        timestamp_type=0, key=b"k", value=body, checksum=None, serialized_key_size=1,
        serialized_value_size=len(body), headers=[],
    )  # fmt: skip


def purchase(purchase_id: str, client_id: str) -> PurchaseRecorded:
    return PurchaseRecorded(
        purchase_id=purchase_id,
        store_id="S1",
        client=ClientRef(client_id=client_id),
        currency="EUR",
        lines=[PurchaseLine(sku="A1", quantity="1", unit_price="3.50")],
        total="3.50",
    )


async def test_a_redelivery_racing_a_waiting_room_release_passes_once(slate: Slate) -> None:
    shop = Shop()
    parked = record(slate, purchase("p-1", "c-1"))
    async with pipeline_of(slate, shop) as pipeline:
        await pipeline.consume([parked])  # the client is not known: parked
        assert shop.applied["p-1"] == 0
        # The registration releases the purchase; while its handler writes, the
        # purchase is delivered again.
        registration = record(slate, ClientRegistered(client_id="c-1", name="Ada"))
        release = asyncio.create_task(pipeline.consume([registration]))
        await shop.writing.wait()
        await pipeline.consume([parked])
        await release
        await pipeline.consume([parked])  # and once more, after both
    assert shop.applied["p-1"] == 1


class LateShop(Shop):
    """c-2 registers while its purchase is being parked (its check then finds it known);
    c-1 only later."""

    async def known(self, keys: Sequence[str]) -> bool:
        if "client:c-2" in keys:
            self.clients.add("c-2")
        return await super().known(keys)


async def test_one_purchase_of_a_batch_found_known_late_leaves_the_others_waiting(
    slate: Slate,
) -> None:
    """In one batch, p-2's client became known while it was parked (applied at once) and
    p-1's did not: p-1 stays parked and its client's registration applies it (it was
    settled as done with p-2 and then skipped as a duplicate on release: lost)."""
    shop = LateShop()
    batch = [record(slate, purchase("p-1", "c-1"), 0), record(slate, purchase("p-2", "c-2"), 1)]
    async with pipeline_of(slate, shop) as pipeline:
        await pipeline.consume(batch)
        assert shop.applied == Counter({"p-2": 1})
        await pipeline.consume([record(slate, ClientRegistered(client_id="c-1", name="Ada"), 2)])
        await pipeline.consume(batch)  # redelivered after all
    assert shop.applied == Counter({"p-1": 1, "p-2": 1})


async def test_the_same_purchase_with_a_new_event_id_counts_once(slate: Slate) -> None:
    shop = Shop()
    shop.clients.add("c-1")
    first, again = purchase("p-1", "c-1"), purchase("p-1", "c-1")
    assert first.event_id != again.event_id
    async with pipeline_of(slate, shop) as pipeline:
        await pipeline.consume([record(slate, first), record(slate, again)])
    assert shop.applied["p-1"] == 1


async def test_a_route_whose_documents_dedup_writes_no_claim(slate: Slate) -> None:
    shop = Shop()
    shop.clients.add("c-1")
    table = HandlerTable()
    table.add(PurchaseRecorded, shop.purchase, dedup=Dedup.IN_DOCUMENTS)
    once = [record(slate, purchase("p-1", "c-1"))]
    async with pipeline_of(slate, shop, table=table) as pipeline:
        await pipeline.consume(once)
        await pipeline.consume(once)  # redelivered
        claims = await pipeline.runtime.db.inbox.count_documents({})
    assert claims == 0
    assert shop.applied["p-1"] == 2  # the handler's own documents must recognise it


async def test_a_poison_record_goes_to_the_dlq_and_the_next_ones_are_processed(
    slate: Slate,
) -> None:
    shop = Shop()
    shop.clients.add("c-1")
    bad_json = record(slate, purchase("p-x", "c-1"), 1, b'{"purchase_id": ')
    missing = record(slate, purchase("p-y", "c-1"), 2, b'{"store_id": "S1"}')
    batch = [record(slate, purchase("p-1", "c-1")), bad_json, missing]
    batch.append(record(slate, purchase("p-2", "c-1"), offset=3))
    async with pipeline_of(slate, shop) as pipeline:
        await pipeline.consume(batch)
        dead = await read_topic(
            slate.infra.kafka, slate.topic(PurchaseRecorded.TOPIC) + ".dlq", expect=2
        )
    assert shop.applied == Counter({"p-1": 1, "p-2": 1})
    assert [r.value for r in dead] == [bad_json.value, missing.value]  # the original bytes
    reasons = [dict(r.headers)["x-dlq-reason"].decode() for r in dead]
    assert "json_invalid" in reasons[0]  # undecodable JSON is not a purchase
    assert "purchase_id" in reasons[1]  # says which field is missing
    assert [dict(r.headers)["x-dlq-original-offset"] for r in dead] == [b"1", b"2"]


async def test_batches_and_single_records_from_kafka_have_the_same_effects(slate: Slate) -> None:
    """One consumer takes up to 100 records at a time, the other one: same effects."""
    events: list[ClientRegistered | PurchaseRecorded] = [purchase("p-1", "c-1")]
    events += [purchase("p-1", "c-1"), purchase("p-2", "c-2")]  # p-1 again, a new event id
    events += [ClientRegistered(client_id="c-1", name="Ada"), purchase("p-3", "c-1")]
    events += [ClientRegistered(client_id="c-2", name="Bob")]
    shops = {"surveys": Shop(), "complaints": Shop()}
    async with (
        pipeline_of(slate, shops["surveys"], "surveys", batch_size=100) as batched,
        pipeline_of(slate, shops["complaints"], "complaints", batch_size=1) as single,
    ):
        for event in events:  # one partition: the order above is the order consumed
            await produce(
                slate.infra.kafka, slate.topic(event.TOPIC), event.model_dump_json().encode()
            )
        for pipeline in (batched, single):
            pipeline.subscribe()
            await pipeline.runtime.broker.start()
        try:
            # Four consumer groups join and six events pass, two of them parked: a
            # CI run at load 15 once took longer than the default 30 s (a lost release
            # would never arrive, so the bound only has to outlast a slow start).
            for shop in shops.values():
                await eventually(lambda s=shop: _true(sum(s.applied.values()) >= 3), 120)
        finally:
            for pipeline in (batched, single):
                await pipeline.runtime.broker.stop()
    expected = Counter({"p-1": 1, "p-2": 1, "p-3": 1})
    assert [shop.applied for shop in shops.values()] == [expected, expected]


async def _true(value: bool) -> bool:
    return value
