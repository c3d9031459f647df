"""Secondary indexes, created when a service starts.

Declared for MongoDB (where they serve reads); FerretDB 1.x creates them and enforces
unique ones but reads by scanning, so hot paths use point reads by `_id` regardless.

Only the indexes that are missing are created, and one per command: FerretDB 1.24
panics and drops the connection on a `createIndexes` naming two or more indexes that
all exist already. That happened on a second start on the same store, and when
replicas starting at once both listed no indexes and then asked for the same ones.
A replica that still loses that race (the connection dropped, or an index made
between its listing and its command) lists again and creates what is still missing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import AutoReconnect, OperationFailure
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_random

from shared.logging import get_logger

log = get_logger(__name__)

IndexPlan = Mapping[str, Sequence[IndexModel]]

ATTEMPTS = 5


async def existing_index_names(collection: AsyncCollection[dict[str, Any]]) -> set[str]:
    return {index["name"] async for index in await collection.list_indexes()}


async def ensure_indexes(db: AsyncDatabase[dict[str, Any]], plan: IndexPlan) -> None:
    """Create every index in `plan` (collection -> indexes) that does not exist yet."""
    for collection, indexes in plan.items():
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type((AutoReconnect, OperationFailure)),
            stop=stop_after_attempt(ATTEMPTS),
            wait=wait_random(0.05, 0.5),
            reraise=True,
        ):
            with attempt:
                await _create_missing(db[collection], indexes)


async def _create_missing(
    collection: AsyncCollection[dict[str, Any]], indexes: Sequence[IndexModel]
) -> None:
    existing = await existing_index_names(collection)
    for index in indexes:
        if index.document["name"] not in existing:
            names = await collection.create_indexes([index])
            log.info("indexes_created", collection=collection.name, indexes=names)
