"""Who looked at a client, as chunks written once (services/gateway/audit/client_chunks.py):
replicas appending at once lose nothing, a retried batch is listed once, an older
release's month document still shows, and an append costs the same late in a month."""

from __future__ import annotations

import asyncio
from typing import Any

from pymongo import AsyncMongoClient

from services.gateway.audit.client_chunks import ClientChunks
from tests.conftest import Slate
from tests.integration.gateway.conftest import StoreCommands

MONTH = "audit:client:c-1:2026-11"


def entry(n: int) -> dict[str, Any]:
    return {"id": f"20261128T0000{n:06d}-x", "who": f"user-{n % 3}", "client_ids": ["c-1"]}


async def test_three_replicas_appending_at_once_lose_no_entry(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    collection = mongo[slate.db_name("gateway")]["audit_clients"]
    replicas = [ClientChunks(collection) for _ in range(3)]  # each remembers its own index

    async def batches(r: int, writer: ClientChunks) -> None:
        for b in range(10):
            n = r * 1000 + b
            await writer.append({MONTH: ("c-1", [entry(n), entry(n + 500)])})

    await asyncio.gather(*(batches(r, w) for r, w in enumerate(replicas)))
    listed = await ClientChunks(collection).entries([MONTH])
    chunk_ids = [d["_id"] async for d in collection.find({})]
    assert len(listed) == 60
    assert {e["id"] for e in listed} == {
        entry(r * 1000 + b + extra)["id"] for r in range(3) for b in range(10) for extra in (0, 500)
    }
    assert [e["id"] for e in listed] == sorted((e["id"] for e in listed), reverse=True)
    assert sorted(chunk_ids) == sorted(f"{MONTH}#{k}" for k in range(30))


async def test_a_retried_batch_and_an_old_month_document_are_listed_once(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    collection = mongo[slate.db_name("gateway")]["audit_clients"]
    await collection.insert_one({"_id": MONTH, "client_id": "c-1", "entries": [entry(1)]})
    writer = ClientChunks(collection)
    await writer.append({MONTH: ("c-1", [entry(2), entry(3)])})
    await ClientChunks(collection).append({MONTH: ("c-1", [entry(2), entry(3)])})  # retried
    listed = await writer.entries([MONTH, "audit:client:c-1:2026-10"])
    assert [e["id"] for e in listed] == [entry(n)["id"] for n in (3, 2, 1)]


async def test_an_append_late_in_a_month_costs_what_the_first_did(
    slate: Slate, commands: StoreCommands, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:  # the listener first: it sees only clients made after it
    collection = mongo[slate.db_name("gateway")]["audit_clients"]
    writer = ClientChunks(collection)
    for n in range(40):
        await writer.append({MONTH: ("c-1", [entry(n)])})
    before = len(commands.seen)
    await writer.append({MONTH: ("c-1", [entry(99)]), "audit:client:c-2:2026-11": ("c-2", [])})
    seen = [name for name, _ in commands.seen[before:]]
    # c-1's index is remembered: no read; c-2 is new: one read of its chunk 0. One insert.
    assert seen == ["find", "insert"], seen
    assert await collection.count_documents({}) == 42
