"""The unit of work (shared/store/unit_of_work.py): a plan is one journal document, its
writes are replayed as written after a failure, and its events leave through the one
outbox, the relay included."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from services.loyalty.purchases.planning import legacy_steps
from shared.store.outbox import Outbox
from shared.store.unit_of_work import JOURNALS, Plan, UnitOfWork
from tests.conftest import Slate

EVENT = {"event_id": "e1", "topic": "t", "key": "c1", "payload": "{}"}


class Publisher:
    """Stands in for the event publisher: records what was sent, or fails."""

    service = "test"

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.down = False

    async def publish_raw(self, topic: str, key: Any, body: bytes, cid: Any = None) -> None:
        if self.down:
            raise ConnectionError("broker down")
        self.sent.append(topic)


def a_plan(partition: str, cents: int) -> Plan:
    plan = Plan(partitions=[partition], events=[dict(EVENT)])
    plan.increment("accounts", {"c1": ({"balance_cents": cents}, {})}, upsert=False)
    plan.insert("ledger", [{"_id": "c1:1", "amount_cents": cents}])
    plan.add("reports", [("stores:2026-11", "members", "S1")], remember=True)
    return plan


def unit_of_work(db: Any, owned: set[str] | None = None) -> tuple[UnitOfWork, Publisher]:
    publisher = Publisher()
    outbox = Outbox(db, publisher)  # type: ignore[arg-type]
    return UnitOfWork(db, outbox, "me", lambda: owned), publisher


async def test_a_crashed_consumers_journal_is_replayed_once_its_partition_comes_here(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("loyalty")]
    await db.accounts.insert_one({"_id": "c1", "balance_cents": 0})
    work, publisher = unit_of_work(db)
    assert await work.replay_open({"purchase.recorded:1"}) == 0  # at start: looks
    doc = a_plan("purchase.recorded:0", 100).document("crashed")
    await db[JOURNALS].insert_one(doc | {"at": datetime.now(UTC)})
    # Same partitions, nothing failed, checked a moment ago: no scan, nothing replayed.
    assert await work.replay_open({"purchase.recorded:1"}) == 0
    # A rebalance hands partition 0 over: its open journal is finished before anything else.
    assert await work.replay_open({"purchase.recorded:0", "purchase.recorded:1"}) == 1
    account = await db.accounts.find_one({"_id": "c1"})
    assert account is not None and account["balance_cents"] == 100
    assert await db[JOURNALS].count_documents({}) == 0
    assert publisher.sent == ["t"]


async def test_after_a_failed_publish_the_relay_finishes_the_journal_once(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("loyalty")]
    await db.accounts.insert_one({"_id": "c1", "balance_cents": 0})
    work, publisher = unit_of_work(db, owned={"p:0"})
    assert await work.replay_open() == 0
    publisher.down = True
    with pytest.raises(ConnectionError):
        await work.commit(a_plan("p:0", 250))  # written, applied, its event not published
    publisher.down = False  # the broker is back; no message arrives, the relay sweeps
    assert await work.outbox.relay_once() == 1
    account = await db.accounts.find_one({"_id": "c1"})
    assert account is not None and account["balance_cents"] == 250  # applied once
    assert await db.ledger.count_documents({}) == 1
    assert await db[JOURNALS].count_documents({}) == 0
    assert publisher.sent == ["t"]


async def test_a_journal_left_open_by_the_version_before_is_replayed_as_written(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    """Loyalty's own journal shape (fields per collection, no steps), as a crash just
    before an upgrade leaves it: the new unit of work finishes it."""
    db = mongo[slate.db_name("loyalty")]
    await db.accounts.insert_one({"_id": "c1", "balance_cents": 0})
    old = {
        "_id": "journal:old", "at": datetime.now(UTC), "owner": "me", "partitions": ["p:0"],
        "accounts": [{"_id": "c1", "inc": [{"field": "balance_cents", "by": 499}], "set": {}}],
        "ledger": [{"_id": "c1:1", "amount_cents": 499}],
        "receipts": [{"_id": "purchase:P1", "purchase_id": "P1"}], "receipt_updates": [],
        "lookups": [], "unmatched": [{"_id": "card:4000", "purchase_id": "P2"}],
        "reports": [{"_id": "store:S1:2026-11", "inc": [{"field": "purchases", "by": 1}]}],
        "indexes": [{"_id": "stores:2026-11", "member": "S1"}], "events": [dict(EVENT)],
    }  # fmt: skip
    await db[JOURNALS].insert_one(old)
    publisher = Publisher()
    work = UnitOfWork(db, Outbox(db, publisher), "me", lambda: {"p:0"}, legacy_steps)  # type: ignore[arg-type]
    assert await work.replay_open() == 1
    account = await db.accounts.find_one({"_id": "c1"})
    assert account is not None and account["balance_cents"] == 499
    assert await db.receipts.find_one({"_id": "purchase:P1"}) is not None
    unmatched = await db.unmatched.find_one({"_id": "card:4000"})
    assert unmatched is not None and unmatched["purchase_ids"] == ["P2"]
    store = await db.reports.find_one({"_id": "store:S1:2026-11"})
    assert store is not None and store["purchases"] == 1
    index = await db.reports.find_one({"_id": "stores:2026-11"})
    assert index is not None and index["members"] == ["S1"]
    assert publisher.sent == ["t"]
    assert await db[JOURNALS].count_documents({}) == 0


def a_credit(cents: int) -> Plan:
    """A credit planned under its receipt: `journal:<receipt>`, the receipt inserted."""
    plan = Plan(partitions=["p:0"], id="journal:birthday:c1:2026")
    plan.increment("accounts", {"c1": ({"balance_cents": cents}, {})}, upsert=False)
    plan.insert("receipts", [{"_id": "birthday:c1:2026"}])
    return plan


async def test_one_credit_planned_by_two_processes_at_once_is_applied_once(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    """Two replicas run overlapping job periods: both read "no receipt yet" and plan the
    same credit; whichever stores its journal second, or finds the receipt written once
    its journal is stored, applies nothing."""
    db = mongo[slate.db_name("loyalty")]
    await db.accounts.insert_one({"_id": "c1", "balance_cents": 0})
    (a, _), (b, _) = unit_of_work(db, {"p:0"}), unit_of_work(db, {"p:1"})

    async def done() -> bool:
        return await db.receipts.find_one({"_id": "birthday:c1:2026"}) is not None

    together = await asyncio.gather(a.commit(a_credit(500), done), b.commit(a_credit(500), done))
    assert sorted(together) == [False, True]
    late = await b.commit(a_credit(500), done)  # planned before the first finished
    assert late is False
    account = await db.accounts.find_one({"_id": "c1"})
    assert account is not None and account["balance_cents"] == 500
    assert await db[JOURNALS].count_documents({}) == 0


async def test_a_failed_step_returns_only_once_the_other_collections_steps_have_ended(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    """Collections are written at once; a failure in one is raised after the others have
    ended (a replay must never meet a write still in flight), and the replay then
    finishes the journal with nothing counted twice."""
    db = mongo[slate.db_name("loyalty")]
    await db.accounts.insert_one({"_id": "c1", "balance_cents": "not a number"})
    await db.reports.insert_one({"_id": "store:S1", "count": 0})
    work, publisher = unit_of_work(db, owned={"p:0"})
    assert await work.replay_open() == 0
    plan = a_plan("p:0", 100)  # accounts first: its $inc on a string fails at once
    plan.increment("reports", {"store:S1": ({"count": 1}, {})})
    plan.insert("ledger", [{"_id": f"c1:{n}", "amount_cents": n} for n in range(2, 300)])
    # MongoDB answers a write error; FerretDB 1.24 a reply pymongo cannot read ('nModified').
    with pytest.raises((PyMongoError, KeyError)):
        await work.commit(plan)
    # No await in between: every other collection's steps had ended when it raised.
    ledger, report = await asyncio.gather(
        db.ledger.count_documents({}), db.reports.find_one({"_id": "store:S1"})
    )
    assert ledger == 299 and report is not None and report["count"] == 1
    assert publisher.sent == [] and await db[JOURNALS].count_documents({}) == 1
    await db.accounts.update_one({"_id": "c1"}, {"$set": {"balance_cents": 0}})  # fixed
    assert await work.replay_open() == 1
    account, report = await asyncio.gather(
        db.accounts.find_one({"_id": "c1"}), db.reports.find_one({"_id": "store:S1"})
    )
    assert account is not None and account["balance_cents"] == 100
    assert report is not None and report["count"] == 1  # replayed, not counted again
    assert await db.ledger.count_documents({}) == 299 and publisher.sent == ["t"]
