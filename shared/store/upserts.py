"""Upserts by `_id` that survive a race between two writers of a new document.

Neither FerretDB nor MongoDB makes two concurrent upserts of a *missing* document both
succeed: one inserts, the other fails with a duplicate key. The document then exists,
so repeating the write as an update is correct (used where two paths may legitimately
write one document, e.g. the daily name-day job and `greet-name-days` at once).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError


async def upsert(
    collection: AsyncCollection[dict[str, Any]],
    doc_id: str,
    change: Mapping[str, Any],
    *,
    replace: bool = False,
) -> None:
    for attempt in range(2):
        try:
            if replace:
                await collection.replace_one({"_id": doc_id}, dict(change), upsert=True)
            else:
                await collection.update_one({"_id": doc_id}, dict(change), upsert=True)
            return
        except DuplicateKeyError:
            if attempt:
                raise
