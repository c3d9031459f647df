"""Open journals are replayed when they may exist, without a scan before every batch."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from services.loyalty.journal import JOURNALS, Journal, JournalStore
from tests.conftest import Slate


def a_journal(partition: str, owner: str) -> dict[str, Any]:
    journal = Journal(partitions=[partition])
    journal.account("c1", {"balance_cents": 100}, {})
    return journal.document() | {"owner": owner, "at": datetime.now(UTC)}


async def nothing_published(*_: Any) -> None:
    return None


async def test_a_crashed_consumers_journal_is_replayed_once_its_partition_comes_here(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("loyalty")]
    await db.accounts.insert_one({"_id": "c1", "balance_cents": 0})
    store = JournalStore(db, nothing_published, "me")
    assert await store.replay_open({"purchase.recorded:1"}) == 0  # at start: looks
    await db[JOURNALS].insert_one(a_journal("purchase.recorded:0", owner="crashed"))
    # Same partitions, nothing failed, checked a moment ago: no scan, nothing replayed.
    assert await store.replay_open({"purchase.recorded:1"}) == 0
    # A rebalance hands partition 0 over: its open journal is finished before anything else.
    assert await store.replay_open({"purchase.recorded:0", "purchase.recorded:1"}) == 1
    account = await db.accounts.find_one({"_id": "c1"})
    assert account is not None and account["balance_cents"] == 100
    assert await db[JOURNALS].count_documents({}) == 0


async def test_after_a_failed_apply_the_next_write_replays_first(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("loyalty")]
    await db.accounts.insert_one({"_id": "c1", "balance_cents": 0})

    async def broker_down(*_: Any) -> None:
        raise ConnectionError("broker down")

    store = JournalStore(db, broker_down, "me")
    assert await store.replay_open({"p:0"}) == 0
    journal = Journal(partitions=["p:0"])
    journal.account("c1", {"balance_cents": 250}, {})
    journal.events.append({"event_id": "e1", "topic": "t", "key": "c1", "payload": "{}"})
    with pytest.raises(ConnectionError):
        await store.commit(journal)  # written, applied, but its event not published
    store.publish = nothing_published  # the broker is back
    assert await store.replay_open({"p:0"}) == 1  # no rebalance, yet it looks
    account = await db.accounts.find_one({"_id": "c1"})
    assert account is not None and account["balance_cents"] == 250  # applied once
    assert await db[JOURNALS].count_documents({}) == 0
