"""One replay of an open journal at a time (shared/store/replays.py): a crashed batch
that spanned two partitions is found by both partitions' new owners at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from pymongo import AsyncMongoClient

from shared.store.outbox import Outbox
from shared.store.replays import Replays
from shared.store.unit_of_work import JOURNALS, Plan, UnitOfWork
from tests.conftest import Slate
from tests.integration.shared.test_unit_of_work import Publisher

SPAN = ["purchase.recorded:0", "purchase.recorded:1"]


def two_partition_plan() -> Plan:
    plan = Plan(partitions=list(SPAN), events=[])
    plan.increment("accounts", {"c1": ({"balance_cents": 100}, {})}, upsert=False)
    plan.increment("accounts", {"c2": ({"balance_cents": 250}, {})}, upsert=False)
    return plan


def owner_of(db: Any, name: str, partition: str) -> UnitOfWork:
    outbox = Outbox(db, Publisher())  # type: ignore[arg-type]
    return UnitOfWork(db, outbox, name, lambda: {partition})


async def test_two_new_owners_of_a_crashed_batch_replay_it_once(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("loyalty")]
    await db.accounts.insert_many(
        [{"_id": "c1", "balance_cents": 0}, {"_id": "c2", "balance_cents": 0}]
    )
    doc = two_partition_plan().document("killed") | {"at": datetime.now(UTC)}
    await db[JOURNALS].insert_one(doc)
    a, b = owner_of(db, "a", SPAN[0]), owner_of(db, "b", SPAN[1])
    for _ in range(3):  # the race is a matter of timing: run it a few times
        replayed = await asyncio.gather(a.replay_open(force=True), b.replay_open(force=True))
        assert sorted(replayed) in ([0, 0], [0, 1]), replayed
    balances = {d["_id"]: d["balance_cents"] async for d in db.accounts.find({})}
    assert balances == {"c1": 100, "c2": 250}
    assert await db[JOURNALS].count_documents({}) == 0
    assert await db.journal_replays.count_documents({}) == 0


async def test_a_replay_taken_by_a_process_that_died_is_taken_over_once_stale(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("loyalty")]
    journal = {"_id": "j1", "at": datetime.now(UTC)}
    await db[JOURNALS].insert_one(journal)
    dead, alive = Replays(db, "dead", stale_s=0.6), Replays(db, "alive", stale_s=0.6)
    assert await dead.take_or_wait(journal) == "j1#0"
    assert await dead.take_or_wait(journal) == "j1#0"  # its own, retried after a failure
    # The taker never finishes: the other waits, then takes the next period's slot.
    taken = await asyncio.wait_for(alive.take_or_wait(journal), timeout=10)
    assert taken is not None and taken != "j1#0"


async def test_a_waiter_goes_on_when_the_journal_is_finished_elsewhere(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("loyalty")]
    journal = {"_id": "j2", "at": datetime.now(UTC)}
    await db[JOURNALS].insert_one(journal)
    first, second = Replays(db, "first"), Replays(db, "second")
    assert await first.take_or_wait(journal) == "j2#0"
    waiting = asyncio.create_task(second.take_or_wait(journal))
    await asyncio.sleep(0.6)
    assert not waiting.done()  # it must not write the journal's documents meanwhile
    await db[JOURNALS].delete_one({"_id": "j2"})
    assert await asyncio.wait_for(waiting, timeout=5) is None


async def test_a_claim_free_again_after_the_replay_finished_is_not_taken(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    """A process read the open journals, another replayed this one meanwhile (deleted it,
    then released its claim): the claim is free again, but replaying the copy in hand
    would re-apply increments to documents others have written since (CI, stop 19)."""
    db = mongo[slate.db_name("loyalty")]
    journal = {"_id": "j3", "at": datetime.now(UTC)}
    await db[JOURNALS].insert_one(journal)
    first, late = Replays(db, "first"), Replays(db, "late")
    claim = await first.take_or_wait(journal)
    assert claim == "j3#0"
    await db[JOURNALS].delete_one({"_id": "j3"})
    await first.release(claim)
    assert await late.take_or_wait(journal) is None
    assert await db.journal_replays.count_documents({}) == 0
