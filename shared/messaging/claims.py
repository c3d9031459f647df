"""Dedup for the message pipeline: a claim is a unique `_id` insert, never a read first.

Before a handler runs, the pipeline inserts `{_id: "<consumer>:<dedup key>",
state: "started"}` into the service's `inbox` collection; after the handler's writes
it sets `state: "done"`. The insert is the check:

- it succeeds: the key is new (the hot path: one insert, one update, no read);
- it fails with a duplicate key: only then is the claim read. `done` means the effect
  is stored (a duplicate: skip); `started` means an earlier attempt stopped half-way
  (a crash, a transient failure, a poison message replayed from its DLQ, an event
  parked in the waiting room): run the handler again. Handlers tolerate their own
  partial writes (deterministic ids, `_last_applied`, "newer than stored" checks).

An inbox record written before claims existed has no `state`: it counts as done.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

INBOX = "inbox"
STARTED = "started"
DONE = "done"


class Claim(Enum):
    NEW = "new"  # first sight of the key
    UNFINISHED = "unfinished"  # seen before, its effect not (fully) stored
    DONE = "done"  # its effect is stored: a duplicate


class Claims:
    """The dedup claims of one consumer (a service and a topic)."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]], consumer: str) -> None:
        self.collection = db[INBOX]
        self.consumer = consumer

    def _id(self, key: str) -> str:
        return f"{self.consumer}:{key}"

    async def claim(self, key: str) -> Claim:
        try:
            doc = {"_id": self._id(key), "state": STARTED, "at": datetime.now(UTC)}
            await self.collection.insert_one(doc)
            return Claim.NEW
        except DuplicateKeyError:
            found = await self.collection.find_one({"_id": self._id(key)}, {"state": 1})
        state = (found or {"state": STARTED}).get("state", DONE)
        return Claim.DONE if state == DONE else Claim.UNFINISHED

    async def settle(self, key: str) -> None:
        """The handler's writes are stored: a later delivery of the key is a duplicate."""
        await self.collection.update_one({"_id": self._id(key)}, {"$set": {"state": DONE}})
