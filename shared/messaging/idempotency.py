"""Exactly-once effect on top of at-least-once delivery.

Two records make a redelivery harmless:

- the state document names the event keys of its *last* write (`_last_applied`),
  set in the same single-document write as the change itself, so a crash after
  the write but before anything else is recognised on redelivery;
- the inbox collection (`_id` = consumer + event key) remembers every processed
  key for good, so a duplicate published much later is recognised too.

A consumer asks `already_applied`, and after its state write calls `remember`.
Both are point reads/writes by string `_id`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

LAST_APPLIED = "_last_applied"


def applied_in_last_write(doc: Mapping[str, Any] | None, key: str) -> bool:
    return bool(doc) and key in (doc or {}).get(LAST_APPLIED, ())


class Inbox:
    """Processed event keys of one consumer."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]], consumer: str) -> None:
        self.collection = db["inbox"]
        self.consumer = consumer

    def _id(self, key: str) -> str:
        return f"{self.consumer}:{key}"

    async def seen(self, key: str) -> bool:
        return await self.collection.find_one({"_id": self._id(key)}, {"_id": 1}) is not None

    async def remember(self, keys: Iterable[str]) -> None:
        now = datetime.now(UTC)
        for key in keys:
            with contextlib.suppress(DuplicateKeyError):
                await self.collection.insert_one({"_id": self._id(key), "at": now})

    async def already_applied(self, key: str, state: Mapping[str, Any] | None) -> bool:
        if applied_in_last_write(state, key):
            await self.remember([key])  # the crash came between the write and this record
            return True
        return await self.seen(key)
