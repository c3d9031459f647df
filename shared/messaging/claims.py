"""Dedup for the message pipeline: claims are unique `_id` inserts, a batch at a time.

Before a batch's handler runs, the pipeline inserts one claim per event,
`{_id: "<consumer>:<dedup key>", state: "started"}`, into the service's `inbox`
collection with ONE `insert_many(ordered=False)`; after the handler's writes it
settles the events that took effect with ONE more insert of their done marks,
`<consumer>:<dedup key>#done`. The inserts are the check:

- every claim is new: the hot path, two commands per batch whatever its size, no read;
- some fail with a duplicate key: only those keys are read (their claim and done
  mark, concurrent point reads). A done mark (or a claim settled as `done` before
  marks existed, or one without any `state`, older still) means the effect is
  stored: a duplicate, skipped. Otherwise an earlier attempt stopped half-way (a
  crash, a transient failure, a poison event replayed from its DLQ, an event parked
  in the waiting room): the handler runs again. Handlers tolerate their own partial
  writes (deterministic ids, `_last_applied`, "newer than stored" checks).

Why marks and not `update_many({"_id": {"$in": keys}}, {"$set": {"state": "done"}})`:
FerretDB 1.x answers only an exact `{"_id": <string>}` filter from storage, and `$in`
reads the whole inbox, which grows with every event ever consumed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from shared.store.bulk import duplicate_indexes
from shared.store.point_reads import find_by_ids

INBOX = "inbox"
STARTED = "started"
DONE = "done"
DONE_MARK = "#done"


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

    async def claim(self, keys: Sequence[str]) -> dict[str, Claim]:
        """Claim every key at once; what each key turned out to be."""
        now = datetime.now(UTC)
        docs = [{"_id": self._id(k), "state": STARTED, "at": now} for k in keys]
        try:
            await self.collection.insert_many(docs, ordered=False)
            return dict.fromkeys(keys, Claim.NEW)
        except BulkWriteError as exc:
            seen = [keys[i] for i in sorted(duplicate_indexes(exc))]
        found = dict.fromkeys(keys, Claim.NEW) | await self._states(seen)
        return found

    async def _states(self, keys: Sequence[str]) -> dict[str, Claim]:
        ids = [self._id(k) for k in keys]
        docs = await find_by_ids(self.collection, [*ids, *(i + DONE_MARK for i in ids)])
        claims, marks = docs[: len(ids)], docs[len(ids) :]
        states = {}
        for key, claim, mark in zip(keys, claims, marks, strict=True):
            state = (claim or {"state": STARTED}).get("state", DONE)
            states[key] = Claim.DONE if mark or state == DONE else Claim.UNFINISHED
        return states

    async def settle(self, keys: Sequence[str]) -> None:
        """These keys' effects are stored: a later delivery of one is a duplicate."""
        if not keys:
            return
        now = datetime.now(UTC)
        marks = [{"_id": self._id(k) + DONE_MARK, "at": now} for k in keys]
        try:
            await self.collection.insert_many(marks, ordered=False)
        except BulkWriteError as exc:
            duplicate_indexes(exc)  # settled already (a replica applied it too): fine
