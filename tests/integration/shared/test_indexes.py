"""Indexes declared by a service exist once it has started, and unique ones hold."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pymongo import ASCENDING, AsyncMongoClient, IndexModel
from pymongo.errors import DuplicateKeyError

from shared.store.indexes import ensure_indexes
from tests.conftest import Slate


async def test_unique_index_is_created_and_enforced(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("registry")]
    plan = {"clients": [IndexModel([("email", ASCENDING)], unique=True, name="email_unique")]}
    await ensure_indexes(db, plan)
    await ensure_indexes(db, plan)  # a restart creates nothing new and does not fail
    names = [i["name"] async for i in await db.clients.list_indexes()]
    assert "email_unique" in names
    await db.clients.insert_one({"_id": "a", "email": "ada@example.com"})
    with pytest.raises(DuplicateKeyError):
        await db.clients.insert_one({"_id": "b", "email": "ada@example.com"})


async def test_a_second_start_with_several_indexes_on_one_collection_keeps_the_connection(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    # FerretDB 1.24 panics on a createIndexes naming two existing indexes and drops
    # the connection: a second `make run` on the same store then failed at start-up.
    db = mongo[slate.db_name("complaints")]
    plan = {"cases": [IndexModel([("a", ASCENDING)]), IndexModel([("b", ASCENDING)])]}
    for _ in range(3):
        await ensure_indexes(db, plan)
    plan = {"cases": [*plan["cases"], IndexModel([("c", ASCENDING)])]}
    await ensure_indexes(db, plan)  # a new index beside existing ones is added
    names = {i["name"] async for i in await db.cases.list_indexes()}
    assert {"a_1", "b_1", "c_1"} <= names
    assert (await db.command("ping"))["ok"] == 1


async def test_replicas_starting_at_once_all_get_their_indexes(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    # Two replicas listed no indexes, then both asked for the same ones: the one
    # that came second named indexes the first had just made, and FerretDB 1.24
    # dropped its connection (a complaints replica failed to start in CI).
    plan = {
        "cases": [IndexModel([(f, ASCENDING)]) for f in "abc"],
        "trends": [IndexModel([(f, ASCENDING)]) for f in "de"],
    }
    for round_ in range(3):
        db = mongo[slate.db_name(f"complaints{round_}")]
        clients = [AsyncMongoClient(slate.infra.mongodb, tz_aware=True) for _ in range(4)]
        try:
            await asyncio.gather(*(ensure_indexes(c[db.name], plan) for c in clients))
            names = {i["name"] async for i in await db.cases.list_indexes()}
            assert {"a_1", "b_1", "c_1"} <= names
            assert {"d_1", "e_1"} <= {i["name"] async for i in await db.trends.list_indexes()}
        finally:
            await asyncio.gather(*(c.close() for c in clients))
            await mongo.drop_database(db.name)  # not one of the slate's own databases
