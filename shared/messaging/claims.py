"""Dedup for the message pipeline: claims are unique `_id` inserts, a batch at a time.

Before a batch's handler runs, the pipeline inserts one claim per event,
`{_id: "<consumer>:<dedup key>", state: "started", batch: <attempt id>}`, into the
service's `inbox` collection with ONE `insert_many(ordered=False)`; after the handler's
writes it settles the events that took effect with ONE more insert. The inserts are
the check:

- every claim is new: the hot path, two commands per batch whatever its size, no read;
- some fail with a duplicate key: only those keys are read (their claim and done
  mark, concurrent point reads, then the done mark of the attempt that claimed them).
  A done mark (or a claim settled as `done` before marks existed, or one without any
  `state`, older still) means the effect is stored: a duplicate, skipped. Otherwise an
  earlier attempt stopped half-way (a crash, a transient failure, a poison event
  replayed from its DLQ, an event parked in the waiting room): the handler runs again.
  Handlers tolerate their own partial writes (deterministic ids, `_last_applied`,
  "newer than stored" checks).

Done marks: the keys this attempt claimed first are settled by ONE mark for the whole
attempt, `<consumer>#batch:<attempt id>#done`, listing the ones it left `open` (parked
in the waiting room, refused): a batch of 500 writes 501 inbox documents, not 1,000
(each service's inbox is written for every event it consumes, so this is a document
per event per consumer group saved; docs/benchmarks.md, "Session 7").
A key claimed by an earlier attempt gets its own mark `<consumer>:<dedup key>#done`
(its claim names that attempt, whose mark does not cover it). Older claims without an
attempt id are settled by their own marks, as before.

Why marks and not `update_many({"_id": {"$in": keys}}, {"$set": {"state": "done"}})`:
FerretDB 1.x answers only an exact `{"_id": <string>}` filter from storage, and `$in`
reads the whole inbox, which grows with every event ever consumed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Any
from uuid import uuid4

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
    """The dedup claims of one consumer (a service and a topic) for one attempt at a
    batch: `claim` once, then `settle` once."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]], consumer: str) -> None:
        self.collection = db[INBOX]
        self.consumer = consumer
        self.attempt = uuid4().hex
        self.first: list[str] = []  # the keys this attempt claimed first

    def _id(self, key: str) -> str:
        return f"{self.consumer}:{key}"

    def _attempt_mark(self, attempt: str) -> str:
        return f"{self.consumer}#batch:{attempt}{DONE_MARK}"

    async def claim(self, keys: Sequence[str]) -> dict[str, Claim]:
        """Claim every key at once; what each key turned out to be."""
        now = datetime.now(UTC)
        docs = [
            {"_id": self._id(k), "state": STARTED, "batch": self.attempt, "at": now} for k in keys
        ]
        try:
            await self.collection.insert_many(docs, ordered=False)
            self.first = list(keys)
            return dict.fromkeys(keys, Claim.NEW)
        except BulkWriteError as exc:
            refused = duplicate_indexes(exc)
        seen = [keys[i] for i in sorted(refused)]
        self.first = [k for i, k in enumerate(keys) if i not in refused]
        return dict.fromkeys(keys, Claim.NEW) | await self._states(seen)

    async def _states(self, keys: Sequence[str]) -> dict[str, Claim]:
        ids = [self._id(k) for k in keys]
        docs = await find_by_ids(self.collection, [*ids, *(i + DONE_MARK for i in ids)])
        claims, marks = docs[: len(ids)], docs[len(ids) :]
        states, attempts = {}, {}
        for key, claim, mark in zip(keys, claims, marks, strict=True):
            state = (claim or {"state": STARTED}).get("state", DONE)
            done = mark is not None or state == DONE
            states[key] = Claim.DONE if done else Claim.UNFINISHED
            if not done and claim is not None and claim.get("batch"):
                attempts[key] = str(claim["batch"])
        settled = await self._settled_attempts(set(attempts.values()))
        for key, attempt in attempts.items():
            mark = settled.get(attempt)
            if mark is not None and key not in mark.get("open", ()):
                states[key] = Claim.DONE
        return states

    async def _settled_attempts(self, attempts: set[str]) -> dict[str, dict[str, Any]]:
        """The done marks of these attempts, by attempt id (absent: not settled)."""
        ordered = sorted(attempts)
        marks = await find_by_ids(self.collection, [self._attempt_mark(a) for a in ordered])
        return {a: m for a, m in zip(ordered, marks, strict=True) if m is not None}

    async def settle(self, keys: Sequence[str]) -> None:
        """These keys' effects are stored: a later delivery of one is a duplicate."""
        if not keys:
            return
        now = datetime.now(UTC)
        first = set(self.first)
        marks: list[dict[str, Any]] = [
            {"_id": self._id(k) + DONE_MARK, "at": now} for k in keys if k not in first
        ]
        settled = set(keys)
        if first & settled:
            still_open = [k for k in self.first if k not in settled]
            marks.append({"_id": self._attempt_mark(self.attempt), "open": still_open, "at": now})
        try:
            await self.collection.insert_many(marks, ordered=False)
        except BulkWriteError as exc:
            duplicate_indexes(exc)  # settled already (a replica applied it too): fine
