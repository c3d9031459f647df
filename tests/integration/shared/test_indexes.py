"""Indexes declared by a service exist once it has started, and unique ones hold."""

from __future__ import annotations

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
