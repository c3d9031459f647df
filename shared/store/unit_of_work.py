"""One unit of work: a handler's plan (document writes + events) applied so that a crash
at any point loses nothing and counts nothing twice, with no transactions.

A handler computes everything it will write (`Plan`: per collection, increments,
inserts, `$set`s, set additions, in the order given) and the events announcing it.
`UnitOfWork.commit(plan)` inserts that whole plan as ONE journal document; only then
are the writes applied, each step as one bulk write (collections at once); then the
events are published through the outbox (outbox.py: the one place events leave a
service); then the journal is deleted; only then does the handler return and commit.

Crash points:

- before the journal insert: nothing was written; the message is redelivered and
  planned afresh.
- after the journal, during the writes: the journal is replayed *as written* (never
  recomputed, so a rule changed in between cannot make one document disagree with
  another). Replay is idempotent per step: inserts have deterministic `_id`s (a
  duplicate is ignored); increments carry the journal id in `_last_applied`, so a
  replay skips a document whose last write was this journal; `$set`s and set
  additions are idempotent anyway.
- after the events were published, before the journal delete: the replay publishes
  them again with the same `event_id`s; consumers deduplicate on them.
- after the journal delete: the message is redelivered; its dedup (a receipt, a
  claim) says it was applied.

`_last_applied` names only the last write, so a replay must come before any other
write to the same documents, and only one process may replay a journal: every writer
holds `lock` (one per process) and calls `replay_open` first, and a replay is taken by
a unique insert (replays.py); a process that finds it taken waits until the journal is
finished (a batch can span partitions that now have different owners). It replays
the journals of the Kafka partitions this process owns now (a crashed consumer's
partitions come back to whoever owns them next), its own, and anyone's once stale.
A consumer losing partitions in a rebalance first finishes the batch it is applying
(the pipeline's `fence`), so a live writer and a replay never overlap. It scans
`journals` only when one may be open: at start, after a failed commit of its own,
when the owned partitions changed, else every `RECHECK_S`. The outbox relay calls it
too (`replay_left_behind`): what a crash left is published even with no message.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.contracts.base import Event
from shared.logging import get_logger
from shared.store.bulk import bulk_write
from shared.store.journal_steps import added_key, increment_step, insert_step, stored_fields
from shared.store.outbox import Outbox, outbox_entry
from shared.store.replays import JOURNALS, STALE_S, Replays

log = get_logger(__name__)

RECHECK_S = 30.0
PUBLISH_IN_FLIGHT = 128  # fills the producer's batches; 500 at once stalled the loop
INCREMENT, INSERT, SET, ADD = "increment", "insert", "set", "add"

Owned = Callable[[], "set[str] | None"]
Done = Callable[[], Awaitable[bool]]
# The steps of a journal an older version wrote in a shape of its own (no `steps`).
Legacy = Callable[[Mapping[str, Any]], list[dict[str, Any]]]


@dataclass
class Plan:
    """Everything one unit of work writes, step by step, in the order it is applied."""

    partitions: list[str] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    id: str = field(default_factory=lambda: f"journal:{uuid4().hex}")

    def _step(self, kind: str, collection: str, rows: list[dict[str, Any]], **extra: Any) -> None:
        if rows:
            self.steps.append({"kind": kind, "collection": collection, "rows": rows, **extra})

    def increment(
        self,
        collection: str,
        changes: Mapping[str, tuple[Mapping[str, int], Mapping[str, Any]]],
        *,
        upsert: bool = True,
    ) -> None:
        """`_id -> ($inc, $set)`; each document marked with this journal (`_last_applied`)."""
        rows = [
            {"_id": k, "inc": stored_fields(inc), "set": dict(set_)}
            for k, (inc, set_) in changes.items()
            if inc or set_
        ]
        self._step(INCREMENT, collection, rows, upsert=upsert)

    def insert(self, collection: str, docs: Iterable[Mapping[str, Any]]) -> None:
        """New documents with deterministic `_id`s (one already there is left as it is)."""
        self._step(INSERT, collection, [dict(d) for d in docs])

    def set(self, collection: str, changes: Mapping[str, Mapping[str, Any]]) -> None:
        """`_id -> fields`, `$set` with upsert."""
        self._step(SET, collection, [{"_id": k, "set": dict(v)} for k, v in changes.items()])

    def add(
        self, collection: str, rows: Iterable[tuple[str, str, Any]], *, remember: bool = False
    ) -> None:
        """`(_id, array field, value)`: `$addToSet` with upsert. `remember`: a process
        skips what it added before (index documents that only ever grow)."""
        self._step(
            ADD, collection, [{"_id": i, "field": f, "value": v} for i, f, v in rows],
            remember=remember,
        )  # fmt: skip

    def event(self, event: Event) -> None:
        """Queue `event` as the outbox keeps one, with the trace context it is planned in
        (a replay continues it)."""
        self.events.append(outbox_entry(event))

    def empty(self) -> bool:
        return not (self.steps or self.events)

    def document(self, owner: str) -> dict[str, Any]:
        return {
            "_id": self.id,
            "at": datetime.now(UTC),
            "owner": owner,
            "partitions": self.partitions,
            "steps": self.steps,
            "events": self.events,
        }


class UnitOfWork:
    """Commits and replays plans; `lock` (one per process) serialises every writer."""

    def __init__(
        self,
        db: AsyncDatabase[dict[str, Any]],
        outbox: Outbox,
        owner: str,
        owned: Owned = lambda: None,
        legacy: Legacy | None = None,
    ) -> None:
        self.db, self.outbox, self.owner, self.owned = db, outbox, owner, owned
        self.legacy = legacy
        self.lock = asyncio.Lock()
        self.dirty = True  # a journal of ours may be open: look before the next write
        self.owned_seen: set[str] | None = None
        self.checked_at = 0.0
        self.remembered: set[tuple[str, str, str, Any]] = set()  # `add(remember=True)`s done
        self.replays = Replays(db, owner)
        outbox.left_behind.append(self.replay_left_behind)

    async def commit(self, plan: Plan, done: Done | None = None) -> bool:
        """Record the plan, then apply it (the caller holds `lock`); False: not applied.

        `done` makes a plan whose id is deterministic (one credit: `journal:<receipt>`)
        happen once across processes that may plan it at the same moment (two replicas
        running a job's overlapping periods): a journal of that id stored already means
        another process is applying it, and `done()`, asked once this journal is stored,
        means it was applied before (its receipt exists): the journal is dropped."""
        if plan.empty():
            return False
        doc = plan.document(self.owner)
        try:
            try:
                await self.db[JOURNALS].insert_one(doc)
            except DuplicateKeyError:
                if done is None:
                    raise
                return False
            if done is not None and await done():
                await self.db[JOURNALS].delete_one({"_id": doc["_id"]})
                return False
            await self.apply(doc, replay=False)
        except BaseException:
            self.dirty = True
            raise
        return True

    async def apply(self, doc: Mapping[str, Any], *, replay: bool) -> None:
        """Steps, events, the journal's delete. Collections go at once (a purchase batch
        waited for 5-6 writes in a row), a collection's steps in order; all have ended
        before this returns or raises (a replay never meets a write still in flight)."""
        steps = doc["steps"] if "steps" in doc or self.legacy is None else self.legacy(doc)
        by_collection: dict[str, list[Mapping[str, Any]]] = {}
        for step in steps:
            by_collection.setdefault(step["collection"], []).append(step)
        ended = await asyncio.gather(
            *(self._apply_steps(group, doc["_id"], replay) for group in by_collection.values()),
            return_exceptions=True,
        )
        if failed := next((e for e in ended if isinstance(e, BaseException)), None):
            raise failed
        await self.outbox.publish(doc["events"], PUBLISH_IN_FLIGHT)
        await self.db[JOURNALS].delete_one({"_id": doc["_id"]})

    async def _apply_steps(self, steps: list[Mapping[str, Any]], jid: str, replay: bool) -> None:
        for step in steps:
            await self._apply_step(step, jid, replay)

    async def _apply_step(self, step: Mapping[str, Any], journal_id: str, replay: bool) -> None:
        kind, collection = step["kind"], self.db[step["collection"]]
        if kind == INCREMENT:
            await increment_step(self.db, step, journal_id, replay)
        elif kind == INSERT:
            await insert_step(self.db, step)
        elif kind == SET:
            sets = [
                UpdateOne({"_id": r["_id"]}, {"$set": r["set"]}, upsert=True) for r in step["rows"]
            ]
            await bulk_write(collection, sets)
        elif kind == ADD:
            rows = [r for r in step["rows"] if added_key(step, r) not in self.remembered]
            ops = [
                UpdateOne({"_id": r["_id"]}, {"$addToSet": {r["field"]: r["value"]}}, upsert=True)
                for r in rows
            ]
            if ops:
                await bulk_write(collection, ops)
            if step.get("remember"):
                self.remembered.update(added_key(step, r) for r in rows)

    async def replay_open(
        self, owned: set[str] | None = None, stale_s: float = STALE_S, *, force: bool = False
    ) -> int:
        """Finish journals a crash or a failure left open (the caller holds `lock`).

        A journal is replayed by the process that wrote it (it is not applying it: it
        holds the lock), by whoever owns one of its partitions now (`owned`, else
        `self.owned()`), and by anyone once `stale_s` old."""
        owned = self.owned() if owned is None else owned
        fresh = time.monotonic() - self.checked_at < RECHECK_S
        if not (force or self.dirty) and fresh and owned == self.owned_seen:
            return 0
        self.checked_at, self.owned_seen = time.monotonic(), owned
        replayed, now = 0, datetime.now(UTC)
        # Read whole first: a replay taken elsewhere is waited for, longer than a cursor.
        for doc in await self.db[JOURNALS].find({}).to_list(None):
            parts = set(doc.get("partitions") or ())
            mine = doc.get("owner") == self.owner or bool(parts & (owned or set()))
            if not (mine or (now - doc["at"]).total_seconds() >= stale_s):
                continue
            if claim_id := await self.replays.take_or_wait(doc):
                log.warning("journal_replayed", journal_id=doc["_id"], partitions=sorted(parts))
                await self.apply(doc, replay=True)
                await self.replays.release(claim_id)
                replayed += 1
        self.dirty = False
        return replayed

    async def replay_left_behind(self) -> int:
        """The outbox relay's sweep: a journal left open is finished and its events sent."""
        async with self.lock:
            return await self.replay_open()
