"""Secondary indexes, created when a service starts.

Declared for MongoDB (where they serve reads); FerretDB 1.x creates them and enforces
unique ones but reads by scanning, so hot paths use point reads by `_id` regardless.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from shared.logging import get_logger

log = get_logger(__name__)

IndexPlan = Mapping[str, Sequence[IndexModel]]


async def ensure_indexes(db: AsyncDatabase[dict[str, Any]], plan: IndexPlan) -> None:
    """Create every index in `plan` (collection -> indexes); existing ones are kept."""
    for collection, indexes in plan.items():
        if indexes:
            names = await db[collection].create_indexes(list(indexes))
            log.info("indexes_ensured", collection=collection, indexes=names)
