"""The batch journal: how a batch's many writes survive a crash at any point.

A batch (or any single balance-changing command) first computes everything it will
write: account increments, ledger entries, receipts (`purchase:<id>` ...), report
increments and the events to publish. That whole plan is inserted as ONE journal
document; only then are the effects applied, collection by collection, each as one
bulk write; then the events are published; then the journal is deleted; only then
does the subscriber return and the offset commit.

Crash points (read with services/loyalty/__init__.py):

- before the journal insert: nothing was written; the batch is redelivered and
  computed afresh.
- after the journal, during the effects: the journal is replayed *as written* (never
  recomputed, so a rule changed in between cannot make the ledger disagree with the
  balance). Replay is idempotent per step: ledger entries and receipts have
  deterministic `_id`s (a duplicate insert is ignored); account and report
  increments carry the journal id in `_last_applied`, so a replay skips a document
  whose last write was this journal; receipt updates and lookups are `$set`s.
- after the events were published, before the journal delete: the replay publishes
  them again with the same `event_id`s; consumers deduplicate on `event_id`.
- after the journal delete, before the offset commit: the batch is redelivered; every
  purchase finds its receipt and is skipped as a duplicate.

`_last_applied` names only the last write, so a replay must come before any other
write to the same documents: every journal writer holds one lock per process and
replays open journals first (`JournalStore.replay_open`): those covering the Kafka
partitions this consumer now owns (a crashed batch's partitions come back to
whoever owns them next) and those of commands without partitions.

Looking for open journals costs a scan of `journals`, so a writer does it when it may
find one: at start, after any failed journal write or apply of its own, when its
set of partitions changed (a rebalance may hand it a crashed consumer's journal),
and otherwise every `RECHECK_S` (a crashed replica's command journals, replayed by
anyone once stale); the periodic jobs force it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any
from uuid import uuid4

from pymongo import InsertOne, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from shared import tracing
from shared.contracts.base import Event
from shared.logging import get_logger
from shared.messaging.idempotency import LAST_APPLIED
from shared.store.bulk import bulk_write
from shared.store.outbox import TRACE_FIELD, outbox_entry
from shared.store.point_reads import find_by_ids, gather_bounded

log = get_logger(__name__)

JOURNALS = "journals"
ACCOUNTS = "accounts"
LEDGER = "ledger"
RECEIPTS = "receipts"
REPORTS = "reports"
LOOKUPS = "lookups"
UNMATCHED = "unmatched"
DUPLICATE_KEY = 11000
RECHECK_S = 30.0
PUBLISH_IN_FLIGHT = 128  # fills the producer's batches; 500 at once stalled the loop

Publish = Callable[[str, str | None, bytes, str | None], Awaitable[None]]
Prepare = Callable[["Journal"], Awaitable[None]] | None


@dataclass
class Journal:
    """Everything one batch will write, in the order it is applied."""

    partitions: list[str] = field(default_factory=list)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    ledger: list[dict[str, Any]] = field(default_factory=list)
    receipts: list[dict[str, Any]] = field(default_factory=list)
    receipt_updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    lookups: dict[str, dict[str, Any]] = field(default_factory=dict)
    reports: dict[str, dict[str, int]] = field(default_factory=dict)
    unmatched: list[dict[str, str]] = field(default_factory=list)
    indexes: set[tuple[str, str]] = field(default_factory=set)
    events: list[dict[str, Any]] = field(default_factory=list)
    id: str = field(default_factory=lambda: f"journal:{uuid4().hex}")

    def account(self, client_id: str, inc: Mapping[str, int], set_: Mapping[str, Any]) -> None:
        entry = self.accounts.setdefault(client_id, {"inc": {}, "set": {}})
        for k, v in inc.items():
            entry["inc"][k] = entry["inc"].get(k, 0) + v
        entry["set"].update(set_)

    def report(self, key: str, inc: Mapping[str, int]) -> None:
        doc = self.reports.setdefault(key, {})
        for k, v in inc.items():
            doc[k] = doc.get(k, 0) + v

    def event(self, event: Event) -> None:
        """Queue `event` as the outbox keeps one, with the trace context it is planned in
        (a replay continues it)."""
        self.events.append(outbox_entry(event))

    def empty(self) -> bool:
        return not (
            self.accounts or self.ledger or self.receipts or self.receipt_updates
            or self.lookups or self.reports or self.unmatched or self.events or self.indexes
        )  # fmt: skip

    def document(self) -> dict[str, Any]:
        return {
            "_id": self.id,
            "at": datetime.now(UTC),
            "partitions": self.partitions,
            "accounts": [
                {"_id": k, "inc": stored_fields(v["inc"]), "set": v["set"]}
                for k, v in self.accounts.items()
            ],
            "ledger": self.ledger,
            "receipts": self.receipts,
            "receipt_updates": [{"_id": k, "set": v} for k, v in self.receipt_updates.items()],
            "lookups": [{"_id": k, "set": v} for k, v in self.lookups.items()],
            "reports": [{"_id": k, "inc": stored_fields(v)} for k, v in self.reports.items()],
            "unmatched": self.unmatched,
            "indexes": [{"_id": k, "member": m} for k, m in sorted(self.indexes)],
            "events": self.events,
        }


def stored_fields(inc: Mapping[str, int]) -> list[dict[str, Any]]:
    """Field paths may hold dots (`spend_by_month.2026-11`), which a stored key may not."""
    return [{"field": k, "by": v} for k, v in inc.items()]


def field_map(stored: list[dict[str, Any]]) -> dict[str, int]:
    return {f["field"]: f["by"] for f in stored}


async def _insert_ignoring_duplicates(
    db: AsyncDatabase[dict[str, Any]], collection: str, docs: list[dict[str, Any]]
) -> None:
    if not docs:
        return
    try:
        await db[collection].bulk_write([InsertOne(dict(d)) for d in docs], ordered=False)
    except BulkWriteError as exc:
        others = [e for e in exc.details.get("writeErrors", []) if e.get("code") != DUPLICATE_KEY]
        if others or exc.details.get("writeConcernErrors"):
            raise


async def _already_applied(
    db: AsyncDatabase[dict[str, Any]], collection: str, ids: Iterable[str], journal_id: str
) -> set[str]:
    ids = list(ids)
    docs = await find_by_ids(db[collection], ids, {LAST_APPLIED: 1})
    return {
        i for i, d in zip(ids, docs, strict=True) if d and journal_id in d.get(LAST_APPLIED, ())
    }


async def _increment(
    db: AsyncDatabase[dict[str, Any]],
    collection: str,
    rows: list[dict[str, Any]],
    journal_id: str,
    replay: bool,
    upsert: bool = True,
) -> None:
    if not rows:
        return
    skip = (
        await _already_applied(db, collection, (r["_id"] for r in rows), journal_id)
        if replay
        else set()
    )
    ops = [
        UpdateOne(
            {"_id": r["_id"]},
            {
                "$inc": field_map(r["inc"]),
                "$set": {**r.get("set", {}), LAST_APPLIED: [journal_id]},
            },
            upsert=upsert,
        )
        for r in rows
        if r["_id"] not in skip and (r["inc"] or r.get("set"))
    ]
    if ops:
        await bulk_write(db[collection], ops)


async def _set_each(
    db: AsyncDatabase[dict[str, Any]], collection: str, rows: list[dict[str, Any]]
) -> None:
    ops = [UpdateOne({"_id": r["_id"]}, {"$set": r["set"]}, upsert=True) for r in rows]
    if ops:
        await bulk_write(db[collection], ops)


async def _add_to_sets(
    db: AsyncDatabase[dict[str, Any]], collection: str, rows: list[dict[str, str]], field: str
) -> None:
    """`rows[i][field]` added to the set `field` + "s" of document `rows[i]["_id"]`: an
    unmatched key's `purchase_ids`, a report index's `members` (`employees:<month>`)."""
    ops = [
        UpdateOne({"_id": r["_id"]}, {"$addToSet": {f"{field}s": r[field]}}, upsert=True)
        for r in rows
    ]
    if ops:
        await bulk_write(db[collection], ops)


class JournalStore:
    """Writes and replays journals; one lock per process serialises every writer."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]], publish: Publish, owner: str) -> None:
        self.db = db
        self.prepare: Prepare = None  # last changes to a plan before it is stored (shards)
        self.publish = publish
        self.owner = owner
        self.lock = asyncio.Lock()
        self.dirty = True  # a journal of ours may be open: look before the next write
        self.owned_seen: set[str] | None = None
        self.checked_at = 0.0
        self.members: set[tuple[str, str]] = set()  # report index members known stored

    async def commit(self, journal: Journal) -> None:
        """Record the plan, then apply it (the caller holds `lock`)."""
        if journal.empty():
            return
        if self.prepare is not None:
            await self.prepare(journal)
        doc = journal.document() | {"owner": self.owner}
        try:
            await self.db[JOURNALS].insert_one(doc)
            await self.apply(doc, replay=False)
        except BaseException:
            self.dirty = True
            raise

    async def apply(self, doc: Mapping[str, Any], *, replay: bool) -> None:
        jid = doc["_id"]
        await _increment(self.db, ACCOUNTS, list(doc["accounts"]), jid, replay, upsert=False)
        await _insert_ignoring_duplicates(self.db, LEDGER, list(doc["ledger"]))
        await _insert_ignoring_duplicates(self.db, RECEIPTS, list(doc["receipts"]))
        await _set_each(self.db, RECEIPTS, list(doc["receipt_updates"]))
        await _set_each(self.db, LOOKUPS, list(doc["lookups"]))
        await _increment(self.db, REPORTS, list(doc["reports"]), jid, replay)
        await _add_to_sets(self.db, UNMATCHED, list(doc.get("unmatched", ())), "purchase_id")
        members = [m for m in doc.get("indexes", ()) if (m["_id"], m["member"]) not in self.members]
        await _add_to_sets(self.db, REPORTS, members, "member")
        self.members.update((m["_id"], m["member"]) for m in members)
        sends = (partial(self._publish, e) for e in doc["events"])
        await gather_bounded(sends, PUBLISH_IN_FLIGHT)
        await self.db[JOURNALS].delete_one({"_id": jid})

    async def _publish(self, entry: Mapping[str, Any]) -> None:
        with tracing.within(entry.get(TRACE_FIELD)):
            await self.publish(
                entry["topic"], entry["key"], entry["payload"].encode(), entry.get("correlation_id")
            )

    async def replay_open(
        self, owned_partitions: set[str] | None, stale_s: float = 60.0, *, force: bool = False
    ) -> int:
        """Finish journals a crash or a failure left open (the caller holds `lock`).

        `owned_partitions=None` replays every open journal. Otherwise a journal is
        replayed by the replica that wrote it (it is not applying it: it holds the
        lock), by whoever owns one of its partitions now (Kafka hands a dead
        consumer's partitions to a live one), and by anyone once `stale_s` old.
        """
        fresh = time.monotonic() - self.checked_at < RECHECK_S
        if not (force or self.dirty) and fresh and owned_partitions == self.owned_seen:
            return 0
        self.checked_at, self.owned_seen = time.monotonic(), owned_partitions
        replayed = 0
        now = datetime.now(UTC)
        async for doc in self.db[JOURNALS].find({}):
            parts = set(doc.get("partitions") or ())
            mine = doc.get("owner") == self.owner or bool(parts & (owned_partitions or set()))
            stale = (now - doc["at"]).total_seconds() >= stale_s
            if owned_partitions is not None and not (mine or stale):
                continue
            log.warning("journal_replayed", journal_id=doc["_id"], partitions=sorted(parts))
            await self.apply(doc, replay=True)
            replayed += 1
        self.dirty = False
        return replayed
