"""The transactional outbox: a state change and its events in one document write.

A document that announces a change keeps the events in its own `_outbox` array,
written in the same single-document write as the change (atomic on MongoDB and
FerretDB alike, no transactions needed). A marker `outbox/<collection>/<id>` says
"this document may hold unpublished events" and is written *before* the change, so
a crash at any point leaves either nothing, or a marker the relay will follow.

After the write the caller publishes at once (`flush`); the relay sweeps the
markers every `relay_interval_s` for whatever a crash or an outage left behind.
Downstream consumers deduplicate on `event_id`, so a second publish is harmless.

This is the one way events leave a service: a unit of work (unit_of_work.py) keeps
its events as these entries inside its journal, sends them with `publish` right after
its writes, and has the relay sweep its journals too (`left_behind`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from shared import tracing
from shared.contracts.base import Event
from shared.logging import get_logger
from shared.messaging.broker import EventPublisher
from shared.messaging.correlation import current_correlation_id
from shared.metrics import OUTBOX_PENDING
from shared.periodic import PeriodicTask
from shared.store.point_reads import gather_bounded

log = get_logger(__name__)

OUTBOX_FIELD = "_outbox"
MARKERS = "outbox"
BATCH_GRACE = timedelta(seconds=60)


TRACE_FIELD = "trace"


def outbox_entry(event: Event) -> dict[str, Any]:
    """How an event waits inside its document: with the trace context it was written in
    (W3C `traceparent`/`tracestate`, when tracing is on), so whoever publishes it, at
    once or after a crash, continues the trace of the request or event that caused it."""
    entry: dict[str, Any] = {
        "event_id": str(event.event_id),
        "topic": event.TOPIC,
        "key": event.partition_key(),
        "payload": event.model_dump_json(),
        "correlation_id": current_correlation_id(),
    }
    if kept := tracing.carrier():
        entry[TRACE_FIELD] = kept
    return entry


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


class Outbox:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], publisher: EventPublisher) -> None:
        self.db = db
        self.markers = db[MARKERS]
        self.publisher = publisher
        # Other sweeps of what a crash left unpublished (a unit of work's open journals),
        # run by the relay with the markers; each returns how much it finished.
        self.left_behind: list[Callable[[], Awaitable[int]]] = []

    async def publish(self, entries: Sequence[Mapping[str, Any]], in_flight: int = 1) -> None:
        """Send outbox entries (`in_flight` at a time), each in the trace it was written in."""
        await gather_bounded((partial(self._send, e) for e in entries), in_flight)

    async def _send(self, entry: Mapping[str, Any]) -> None:
        await publish_entry(self.publisher, entry)

    async def _mark(self, collection: str, doc_id: str) -> None:
        await self.markers.update_one(
            {"_id": f"{collection}/{doc_id}"},
            {
                "$setOnInsert": {"collection": collection, "doc_id": doc_id},
                "$set": {"at": datetime.now(UTC)},  # the latest write, for the relay's grace
            },
            upsert=True,
        )

    async def insert(
        self, collection: str, doc: Mapping[str, Any], events: Sequence[Event]
    ) -> list[dict[str, Any]]:
        """Insert a new document together with the events that announce it."""
        entries = [outbox_entry(e) for e in events]
        if entries:
            await self._mark(collection, str(doc["_id"]))
        await self.db[collection].insert_one({**doc, OUTBOX_FIELD: entries})
        return entries

    async def update(
        self,
        collection: str,
        doc_id: str,
        update: Mapping[str, Any],
        events: Sequence[Event],
        *,
        upsert: bool = False,
    ) -> list[dict[str, Any]]:
        """Apply `update` to one document and queue `events` in the same write."""
        entries = [outbox_entry(e) for e in events]
        full: dict[str, Any] = {k: dict(v) for k, v in update.items()}
        if entries:
            await self._mark(collection, doc_id)
            full.setdefault("$push", {})[OUTBOX_FIELD] = {"$each": entries}
        await self.db[collection].update_one({"_id": doc_id}, full, upsert=upsert)
        return entries

    async def flush(
        self, collection: str, doc_id: str, entries: Sequence[Mapping[str, Any]] | None = None
    ) -> int:
        """Publish a document's pending events, then drop them and its marker."""
        if entries is None:
            doc = await self.db[collection].find_one({"_id": doc_id}, {OUTBOX_FIELD: 1})
            entries = list((doc or {}).get(OUTBOX_FIELD, ()))
        await self.publish(entries)
        if entries:
            # $pullAll of the exact entries: FerretDB 1.x ignores $pull with a condition.
            # One round trip: the update answers with what is left pending (the whole
            # document: FerretDB 1.24 has no projection in findAndModify).
            doc = await self.db[collection].find_one_and_update(
                {"_id": doc_id},
                {"$pullAll": {OUTBOX_FIELD: [dict(e) for e in entries]}},
                return_document=ReturnDocument.AFTER,
            )
        else:
            doc = await self.db[collection].find_one({"_id": doc_id}, {OUTBOX_FIELD: 1})
        # Only a document with nothing left pending loses its marker.
        if not (doc or {}).get(OUTBOX_FIELD):
            await self.markers.delete_one({"_id": f"{collection}/{doc_id}"})
        return len(entries)

    async def flush_quietly(
        self, collection: str, doc_id: str, entries: Sequence[Mapping[str, Any]]
    ) -> None:
        """Publish right after a write; on failure the relay retries later."""
        try:
            await self.flush(collection, doc_id, entries)
        except Exception as exc:  # the marker stays, the relay will publish
            log.warning(
                "outbox_flush_deferred", collection=collection, doc_id=doc_id, error=repr(exc)
            )

    async def relay_once(self, min_age_s: float = 0.0) -> int:
        """Publish what markers point at; returns events published.

        Markers younger than `min_age_s` are left to the writer's own immediate flush,
        so the relay rarely publishes an event a second time (consumers dedup anyway).
        """
        published = 0
        cutoff = datetime.now(UTC) - timedelta(seconds=min_age_s)
        markers = [m async for m in self.markers.find({}) if _aware(m["at"]) <= cutoff]
        OUTBOX_PENDING.labels(service=self.publisher.service).set(len(markers))
        for marker in markers:
            # A batch marker (see `mark_many`) names many documents; its writer removes
            # it within seconds, so only one left behind (a crash) is the relay's job.
            if "doc_ids" in marker and marker["at"] > datetime.now(UTC) - BATCH_GRACE:
                continue
            for doc_id in marker.get("doc_ids") or [marker["doc_id"]]:
                published += await self.flush(marker["collection"], doc_id)
            if "doc_ids" in marker:
                await self.unmark(marker["_id"])
        for sweep in self.left_behind:
            published += await sweep()
        return published

    async def mark_many(self, collection: str, batch_id: str, doc_ids: Sequence[str]) -> str:
        """One marker for many documents a bulk insert writes with their events (an import
        batch): written before them, removed with `unmark` once their events are out."""
        marker_id = f"{collection}/batch:{batch_id}"
        await self.markers.insert_one(
            {
                "_id": marker_id,
                "collection": collection,
                "doc_ids": list(doc_ids),
                "at": datetime.now(UTC),
            }
        )
        return marker_id

    async def unmark(self, marker_id: str) -> None:
        await self.markers.delete_one({"_id": marker_id})


def outbox_relay(outbox: Outbox, interval_s: float, grace_s: float = 2.0) -> PeriodicTask:
    """Background task: sweep outbox markers older than `grace_s` until stopped."""

    async def step() -> None:
        count = await outbox.relay_once(min_age_s=grace_s)
        if count:
            log.info("outbox_relayed", events=count)

    return PeriodicTask("outbox-relay", interval_s, step)


async def publish_entry(publisher: EventPublisher, entry: Mapping[str, Any]) -> None:
    """Publish one waiting event (an `outbox_entry`) under the trace context it was
    written in; for a writer that keeps its event's marker itself (the registry's
    registrations: services/registry/identity/handlers.py)."""
    with tracing.within(entry.get(TRACE_FIELD)):
        await publisher.publish_raw(
            entry["topic"], entry["key"], entry["payload"].encode(), entry.get("correlation_id")
        )
