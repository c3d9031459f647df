"""Registry lists (name buckets, manager lists) written by two replicas at once: chunks
are inserted, never updated in place, so no entry is lost or doubled."""

from __future__ import annotations

import asyncio
from typing import Any

from pymongo import AsyncMongoClient

from services.registry.search.lists import ListIndex
from shared.messaging.keyed_locks import KeyedLocks
from tests.conftest import Slate


async def test_two_writers_appending_to_one_list_at_once_lose_nothing(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("registry")]
    replicas = [ListIndex(db, KeyedLocks(), chunk=5) for _ in range(2)]  # a lock each
    values = [f"c-{n}" for n in range(120)]
    await asyncio.gather(*(replicas[n % 2].add("name:ann", [v]) for n, v in enumerate(values)))
    found = await replicas[0].items("name:ann")
    assert sorted(found) == sorted(values) and len(found) == len(values)


async def test_a_removal_and_a_later_add_are_read_in_the_order_written(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    index = ListIndex(mongo[slate.db_name("registry")], KeyedLocks(), chunk=3)
    await index.add("manager:M1", ["a", "b", "c", "d"])  # two chunks
    await index.remove("manager:M1", ["b", "x"])
    assert await index.items("manager:M1") == ["a", "c", "d"]
    await index.add("manager:M1", ["b"])  # reassigned back
    await index.append_chunks({"manager:M1": ["e", "f", "g", "h"]})  # the import
    assert await index.items("manager:M1") == ["a", "c", "d", "b", "e", "f", "g", "h"]


async def test_a_purged_entry_is_in_no_chunk_and_writers_racing_the_purge_lose_nothing(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("registry")]
    replicas = [ListIndex(db, KeyedLocks(), chunk=3) for _ in range(2)]
    await replicas[0].add("name:ada", ["a", "secret", "b", "c", "d"])  # two chunks
    late = [f"n-{n}" for n in range(20)]
    await asyncio.gather(
        replicas[0].purge("name:ada", ["secret"]),  # an erasure at one replica ...
        *(replicas[1].add("name:ada", [v]) for v in late),  # ... appends at the other
    )
    found = await replicas[1].items("name:ada")
    assert sorted(found) == sorted(["a", "b", "c", "d", *late])
    stored = [str(doc) async for doc in db.list_chunks.find({})]
    assert stored and not [doc for doc in stored if "secret" in doc]
