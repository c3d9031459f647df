"""Secondary indexes, created when a service starts.

Declared for MongoDB (where they serve reads); FerretDB 1.x creates them and enforces
unique ones but reads by scanning, so hot paths use point reads by `_id` regardless.

Only the indexes that are missing are created: FerretDB 1.24 panics and drops the
connection on a `createIndexes` naming two or more indexes that all exist already
(a service's second start on the same store), so the existing ones are listed first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from shared.logging import get_logger

log = get_logger(__name__)

IndexPlan = Mapping[str, Sequence[IndexModel]]


async def existing_index_names(collection: AsyncCollection[dict[str, Any]]) -> set[str]:
    return {index["name"] async for index in await collection.list_indexes()}


async def ensure_indexes(db: AsyncDatabase[dict[str, Any]], plan: IndexPlan) -> None:
    """Create every index in `plan` (collection -> indexes) that does not exist yet."""
    for collection, indexes in plan.items():
        existing = await existing_index_names(db[collection])
        missing = [i for i in indexes if i.document["name"] not in existing]
        if missing:
            names = await db[collection].create_indexes(missing)
            log.info("indexes_created", collection=collection, indexes=names)
