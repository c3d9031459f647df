"""Purging what is older than its retention period (a daily job per service).

Finding old documents is a filter on a date, which FerretDB answers by reading the
whole collection: acceptable once a day off the hot path, never per request. The
deletes are point deletes by `_id`, sent in batches, so no single command holds the
store for long.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import DeleteOne
from pymongo.asynchronous.collection import AsyncCollection

BATCH = 500


async def ids_matching(
    collection: AsyncCollection[dict[str, Any]], query: Mapping[str, Any]
) -> list[Any]:
    """The `_id`s of the documents matching `query` (read in batches, ids only)."""
    cursor = collection.find(dict(query), {"_id": 1}, batch_size=BATCH)
    return [doc["_id"] async for doc in cursor]


async def delete_ids(
    collection: AsyncCollection[dict[str, Any]], ids: Sequence[Any], batch: int = BATCH
) -> int:
    """Delete the documents with these `_id`s, `batch` point deletes per command."""
    deleted = 0
    for start in range(0, len(ids), batch):
        ops = [DeleteOne({"_id": i}) for i in ids[start : start + batch]]
        deleted += (await collection.bulk_write(ops, ordered=False)).deleted_count
    return deleted


async def purge_before(collection: AsyncCollection[dict[str, Any]], field: str, cutoff: Any) -> int:
    """Delete every document whose `field` is before `cutoff`; returns how many."""
    return await delete_ids(collection, await ids_matching(collection, {field: {"$lt": cutoff}}))
