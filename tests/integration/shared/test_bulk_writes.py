"""Big bulk updates complete on the real store (FerretDB 1.x wedged on them before).

A single `update` command with ~100 statements matching existing documents made
FerretDB 1.24 wait forever for a SQLite connection it held itself, and every later
request to that database hung (shared/store/bulk.py). Without the pieces this test
does not fail fast: it times out.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pymongo import AsyncMongoClient, DeleteOne, InsertOne, UpdateOne
from pymongo.errors import BulkWriteError

from shared.store.bulk import UPDATES_PER_COMMAND, _pieces, bulk_write
from tests.conftest import Slate


async def test_three_hundred_matched_updates_in_one_call_all_apply(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    accounts = mongo[slate.db_name("loyalty")].accounts
    await accounts.insert_many([{"_id": f"c{n}", "balance": 0} for n in range(300)])
    ops = [UpdateOne({"_id": f"c{n}"}, {"$inc": {"balance": n}}) for n in range(300)]
    await asyncio.wait_for(bulk_write(accounts, ops), timeout=120)
    await asyncio.wait_for(bulk_write(accounts, ops), timeout=120)  # the store still answers
    docs = {d["_id"]: d["balance"] async for d in accounts.find({})}
    assert docs == {f"c{n}": 2 * n for n in range(300)}


async def test_unordered_errors_are_reported_with_their_index_in_the_whole_call(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    ledger = mongo[slate.db_name("loyalty")].ledger
    await ledger.insert_one({"_id": "e40"})
    ops: list[Any] = [
        UpdateOne({"_id": f"u{n}"}, {"$set": {"n": n}}, upsert=True) for n in range(40)
    ]
    ops += [InsertOne({"_id": "e40"}), InsertOne({"_id": "e41"})]
    with pytest.raises(BulkWriteError) as failed:
        await bulk_write(ledger, ops)
    assert [e["index"] for e in failed.value.details["writeErrors"]] == [40]
    assert await ledger.count_documents({}) == 42  # every other write applied


def test_updates_are_cut_into_pieces_and_other_writes_go_whole() -> None:
    ops: list[Any] = [UpdateOne({"_id": n}, {"$set": {"a": 1}}) for n in range(40)]
    ops += [InsertOne({"_id": n}) for n in range(100)] + [DeleteOne({"_id": 1})]
    sizes = [len(p) for p in _pieces(ops)]
    assert sizes == [UPDATES_PER_COMMAND, UPDATES_PER_COMMAND, 40 - 2 * UPDATES_PER_COMMAND, 101]
    assert sum(sizes) == len(ops)
