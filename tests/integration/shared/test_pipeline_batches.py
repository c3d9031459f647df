"""Batch routes of the message pipeline (`HandlerTable.add_batch`) on the real store and
broker: a handler of whole batches, one claim insert and one settle per batch."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pytest
from pymongo.errors import AutoReconnect

from shared.contracts.pos import PurchaseRecorded
from shared.contracts.registry import ClientRegistered
from shared.messaging.pipeline import HandlerTable, Outcome, event_scope, first_sight
from shared.messaging.waiting import ClientNotKnownYet
from shared.metrics import STORE_COMMANDS
from tests.conftest import Slate
from tests.integration.shared.test_pipeline import Shop, pipeline_of, purchase, record
from tests.support.kafka import read_topic


class BatchShop(Shop):
    """A shop whose purchases are handled a batch at a time."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[list[str]] = []  # purchase ids of each call, in order
        self.poison: set[str] = set()  # purchase ids whose batch the handler refuses
        self.crash_once = False  # fail after the writes, like a store gone away
        self.first_sights: list[list[bool]] = []  # `first_sight` of each call's events

    async def purchases(self, events: Sequence[PurchaseRecorded]) -> Outcome:
        self.batches.append([e.purchase_id for e in events])
        self.first_sights.append([first_sight(e) for e in events])
        if self.poison & {e.purchase_id for e in events}:
            raise ValueError(f"cannot take {sorted(self.poison)}")
        outcome = Outcome()
        for event in events:
            with event_scope(event):
                client_id = event.client.client_id if event.client else None
                if client_id not in self.clients:
                    outcome.wait(event, ClientNotKnownYet([f"client:{client_id}"]))
                    continue
                self.applied[event.purchase_id] += 1
        if self.crash_once:
            self.crash_once = False
            raise AutoReconnect("the store went away after the writes")
        return outcome

    def table(self) -> HandlerTable:
        table = HandlerTable()
        table.add(ClientRegistered, self.register)
        table.add_batch(PurchaseRecorded, self.purchases)
        return table


def inbox_commands(service: str) -> Counter[str]:
    return Counter(
        {
            command: STORE_COMMANDS.labels(service, command, "inbox")._value.get()
            for command in ("insert", "update", "find")
        }
    )


async def test_a_batch_pays_one_claim_insert_and_one_settle(slate: Slate) -> None:
    shop = BatchShop()
    shop.clients.add("c-1")
    batch = [record(slate, purchase(f"p-{n}", "c-1"), offset=n) for n in range(100)]
    async with pipeline_of(slate, shop, "batch-cost", table=shop.table()) as pipeline:
        before = inbox_commands("batch-cost")
        await pipeline.consume(batch)
        spent = inbox_commands("batch-cost") - before
        inbox = await pipeline.runtime.db["inbox"].find({}, {"_id": 1}).to_list()
    assert spent == Counter({"insert": 2})  # the claims, then their done mark; no read
    # A claim per event and one done mark for the batch, not one mark per event.
    ids = sorted(str(doc["_id"]) for doc in inbox)
    assert len(ids) == 101
    assert [i for i in ids if i.endswith("#done")] == [i for i in ids if "#batch:" in i]
    assert shop.batches == [[f"p-{n}" for n in range(100)]]  # one call, in offset order


async def test_duplicates_in_a_batch_and_across_redeliveries_count_once(slate: Slate) -> None:
    shop = BatchShop()
    shop.clients.add("c-1")
    first = [purchase("p-1", "c-1"), purchase("p-2", "c-1"), purchase("p-1", "c-1")]
    again = [purchase("p-2", "c-1"), purchase("p-3", "c-1")]  # p-2 with a new event id
    async with pipeline_of(slate, shop, table=shop.table()) as pipeline:
        await pipeline.consume([record(slate, p, offset=n) for n, p in enumerate(first)])
        await pipeline.consume([record(slate, p, offset=n + 3) for n, p in enumerate(again)])
        before = inbox_commands("surveys")
        await pipeline.consume([record(slate, p, offset=n) for n, p in enumerate(first)])
        spent = inbox_commands("surveys") - before
    assert shop.applied == Counter({"p-1": 1, "p-2": 1, "p-3": 1})
    assert shop.batches == [["p-1", "p-2"], ["p-3"]]  # a redelivered batch never reaches it
    # Only the duplicates are read: their claims and own marks, then the one batch mark.
    assert spent == Counter({"insert": 1, "find": 5})


async def test_a_poison_record_in_a_batch_of_100_parks_only_itself(slate: Slate) -> None:
    shop = BatchShop()
    shop.clients.add("c-1")
    shop.poison = {"p-41"}
    batch = [record(slate, purchase(f"p-{n}", "c-1"), offset=n) for n in range(100)]
    batch[7] = record(slate, purchase("p-7", "c-1"), 7, b'{"purchase_id": "p-7"}')
    async with pipeline_of(slate, shop, table=shop.table()) as pipeline:
        await pipeline.consume(batch)
        dead = await read_topic(
            slate.infra.kafka, slate.topic(PurchaseRecorded.TOPIC) + ".dlq", expect=2
        )
        await pipeline.consume(batch)  # redelivered: the 98 are done, the poison is not
    expected = Counter({f"p-{n}": 1 for n in range(100) if n not in (7, 41)})
    assert shop.applied == expected
    assert [dict(r.headers)["x-dlq-original-offset"] for r in dead] == [b"7", b"41"]
    assert "cannot take" in dict(dead[1].headers)["x-dlq-reason"].decode()
    assert shop.batches[-1] == ["p-41"]  # a redelivery re-runs only the unsettled one
    # New claims are a first sight, but not once the batch was tried as a whole: an
    # interrupted attempt may have left writes behind.
    assert shop.first_sights[0] == [True] * 99
    assert shop.first_sights[1:] == [[False]] * 100


async def test_a_crash_between_claim_and_settle_runs_the_batch_again(slate: Slate) -> None:
    shop = BatchShop()
    shop.clients.add("c-1")
    shop.crash_once = True
    batch = [record(slate, purchase(f"p-{n}", "c-1"), offset=n) for n in range(3)]
    async with pipeline_of(slate, shop, table=shop.table()) as pipeline:
        with pytest.raises(AutoReconnect):
            await pipeline.consume(batch)  # claimed, written, never settled
        await pipeline.consume(batch)  # Kafka redelivers: the claims say "unfinished"
        await pipeline.consume(batch)  # settled now: nothing runs
    assert shop.batches == [["p-0", "p-1", "p-2"], ["p-0", "p-1", "p-2"]]
    assert shop.first_sights == [[True] * 3, [False] * 3]  # the claims were unfinished


async def test_keys_of_an_unsettled_attempt_and_new_keys_settle_apart(slate: Slate) -> None:
    """A batch mixing keys an interrupted attempt claimed with new ones: the new ones are
    settled by the batch's mark, the others by their own; the rest of the interrupted
    attempt stays unfinished."""
    shop = BatchShop()
    shop.clients.add("c-1")
    shop.crash_once = True
    p = {n: record(slate, purchase(f"p-{n}", "c-1"), offset=n) for n in range(3)}
    async with pipeline_of(slate, shop, table=shop.table()) as pipeline:
        with pytest.raises(AutoReconnect):
            await pipeline.consume([p[0], p[1]])  # claimed, never settled
        await pipeline.consume([p[1], p[2]])  # p-1 again (unfinished), p-2 new
        await pipeline.consume([p[0], p[1], p[2]])  # only p-0 is still unfinished
        await pipeline.consume([p[0], p[1], p[2]])  # all settled: nothing runs
    assert shop.batches == [["p-0", "p-1"], ["p-1", "p-2"], ["p-0"]]
    assert shop.first_sights == [[True, True], [False, True], [False]]


async def test_a_batch_event_waits_for_its_client_and_is_released_through_the_table(
    slate: Slate,
) -> None:
    shop = BatchShop()
    shop.clients.add("c-1")
    batch = [record(slate, purchase("p-1", "c-1")), record(slate, purchase("p-2", "c-2"), 1)]
    async with pipeline_of(slate, shop, table=shop.table()) as pipeline:
        await pipeline.consume(batch)
        assert shop.applied == Counter({"p-1": 1})  # p-2 waits for c-2
        await pipeline.consume([record(slate, ClientRegistered(client_id="c-2", name="Bo"))])
        await pipeline.consume(batch)  # a redelivery changes nothing more
    assert shop.applied == Counter({"p-1": 1, "p-2": 1})
    assert shop.batches == [["p-1", "p-2"], ["p-2"]]  # released as a batch of one
