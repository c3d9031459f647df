"""Park and retry: events that name a client the service does not know yet.

Client events, purchases and returns travel on different topics, so a consumer may
see a purchase, a return, an update or a merge before the registration of the
client it names. Such an event is not poison and must not be dropped: its handler
raises `ClientNotKnownYet(keys)`, the message pipeline (pipeline.py) stores the
event's original bytes in the service's `waiting` collection under every key it
waits for (`waiting:client:<id>`, `waiting:card:<n>`, `waiting:phone:<e164>`, point
reads by `_id`) and the message is acknowledged. When a client event makes one of
those keys known (its handler returns them), the pipeline calls
`WaitingRoom.release`, which re-applies the parked events through the same handler
table (its dedup claim makes a second apply change nothing) and then removes them.
`expire_overdue` (a periodic sweep) moves events nobody claimed within the
configured age to `<topic>.dlq` with the reason `client_never_registered` (or the
one its handler named: loyalty's returns wait for their purchase, `purchase:<id>`,
and expire as `purchase_never_recorded`).

Races (FerretDB does not make concurrent updates of one document atomic, so two
writers of one waiting document could lose one's write):
- the client consumer writes its lookups *before* it reads the waiting documents,
  and a parker checks the lookups again *after* parking; whichever comes second
  applies the event, so it is never left behind (a lost push to a key that is known
  by then does not matter);
- an applied event is marked `done:<event_id>` instead of being pulled out of the
  documents of its *other* keys (still unknown, so a parker may be pushing to them
  at that very moment); a later release skips it and the sweep drops it silently.
Only the sweep writes to documents of keys that are still unknown. A parker also
marks each key (waiting_markers.py): a client handler learns whether anything waited
from its own lookups' write.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import ConsumerRecord
from prometheus_client import Counter
from pymongo.errors import BulkWriteError, DuplicateKeyError

from shared.logging import get_logger
from shared.messaging.dead_letters import DeadLetterSender, describe, is_transient, park
from shared.messaging.waiting_markers import MARKERS, marker_id

log = get_logger(__name__)

WAITING = "waiting"
DUPLICATE_KEY = 11000
NEVER_REGISTERED = "client_never_registered"
EVENTS_WAITING = Counter(
    "clientele_events_waiting_total",
    "Events that named a client not known yet: parked, released or expired to the DLQ",
    ["service", "topic", "outcome"],
)

# Events being re-applied in this task: a re-applied client event releases keys again,
# and must not re-apply itself (or its siblings) while they are still parked.
_IN_FLIGHT: ContextVar[frozenset[str]] = ContextVar("waiting_in_flight", default=frozenset())

Apply = Callable[[str, dict[str, Any]], Awaitable[None]]  # (logical topic, body)
Known = Callable[[Sequence[str]], Awaitable[bool]]


@contextlib.contextmanager
def applying(event_id: str) -> Iterator[None]:
    """Mark an event as being applied in this task: a release it causes skips it."""
    token = _IN_FLIGHT.set(_IN_FLIGHT.get() | {event_id})
    try:
        yield
    finally:
        _IN_FLIGHT.reset(token)


class ClientNotKnownYet(Exception):
    """The event names a client this service has not heard of yet: park it."""

    def __init__(
        self, keys: Sequence[str], reason: str = "unknown_client", expired: str = NEVER_REGISTERED
    ) -> None:
        super().__init__(f"{reason}: waiting for {', '.join(keys)}")
        self.keys = list(dict.fromkeys(keys))
        self.reason = reason
        self.expired = expired  # the DLQ reason when it waits too long


def parked_element(
    record: ConsumerRecord[Any, Any],
    keys: Sequence[str],
    reason: str,
    now: datetime,
    expired: str = NEVER_REGISTERED,
) -> dict[str, Any]:
    """One parked event: what the sweep needs to send it to the DLQ unchanged."""
    value = record.value or b""
    try:
        event_id = str(json.loads(value).get("event_id"))
    except (ValueError, AttributeError):
        event_id = None
    key = record.key
    return {
        "event_id": event_id,
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "key": key.decode(errors="replace") if isinstance(key, bytes) else key,
        "body": bytes(value).decode(errors="replace"),
        # No arrays inside arrays on FerretDB: headers as small documents.
        "headers": [
            {"name": k, "value": bytes(v).decode(errors="replace")} for k, v in record.headers or ()
        ],
        "reason": reason,
        "expired_reason": expired,
        "keys": list(keys),
        # The store keeps milliseconds: `$pullAll` must find exactly what was pushed.
        "at": now.replace(microsecond=now.microsecond // 1000 * 1000),
    }


def as_record(element: dict[str, Any]) -> ConsumerRecord[bytes, bytes]:
    """The parked event as a Kafka record again (for the DLQ helpers)."""
    key = element.get("key")
    body = str(element["body"]).encode()
    return ConsumerRecord(
        topic=element["topic"],
        partition=int(element.get("partition", -1)),
        offset=int(element.get("offset", -1)),
        timestamp=-1,
        timestamp_type=0,
        key=key.encode() if isinstance(key, str) else None,
        value=body,
        checksum=None,
        serialized_key_size=len(key or ""),
        serialized_value_size=len(body),
        headers=[(h["name"], str(h["value"]).encode()) for h in element.get("headers") or ()],
    )


class WaitingRoom:
    """A service's parked events, one document per client key they wait for."""

    def __init__(self, db: Any, service: str, logical: Callable[[str], str] = str) -> None:
        self.collection = db[WAITING]
        self.markers = db[MARKERS]
        self.service = service
        self.logical = logical  # physical topic -> logical (the topic prefix)

    @staticmethod
    def _id(key: str) -> str:
        return f"waiting:{key}"

    async def park(self, element: dict[str, Any]) -> None:
        """Append to every key's document; a redelivered event is not added twice."""
        for key in element["keys"]:
            doc = await self.collection.find_one({"_id": self._id(key)})
            if any(e.get("event_id") == element["event_id"] for e in (doc or {}).get("events", ())):
                continue
            change = {"$push": {"events": element}}
            try:
                await self.collection.update_one({"_id": self._id(key)}, change, upsert=True)
            except DuplicateKeyError:  # two first parkers of one key: the document exists now
                await self.collection.update_one({"_id": self._id(key)}, change, upsert=True)
        await self._mark(element["keys"], element["at"])
        topic = self.logical(element["topic"])
        EVENTS_WAITING.labels(self.service, topic, "parked").inc()
        log.info(
            "event_parked_until_client_known",
            topic=topic,
            event_id=element["event_id"],
            waiting_for=element["keys"],
            reason=element["reason"],
        )

    async def _mark(self, keys: Sequence[str], at: datetime) -> None:
        """A marker per key (after the event is in its documents): one insert, a marker
        that exists already stays as it is."""
        if not keys:
            return
        try:
            await self.markers.insert_many(
                [{"_id": marker_id(k), "at": at} for k in keys], ordered=False
            )
        except BulkWriteError as exc:
            if any(e.get("code") != DUPLICATE_KEY for e in exc.details.get("writeErrors", ())):
                raise

    async def _unmark(self, key: str) -> None:
        await self.markers.delete_one({"_id": marker_id(key)})

    async def waiting_for(self, key: str) -> list[dict[str, Any]]:
        doc = await self.collection.find_one({"_id": self._id(key)})
        return list((doc or {}).get("events", ()))

    async def mark_done(self, event_id: str) -> None:
        with contextlib.suppress(DuplicateKeyError):
            await self.collection.insert_one({"_id": f"done:{event_id}", "at": datetime.now(UTC)})

    async def is_done(self, event_id: str) -> bool:
        return await self.collection.find_one({"_id": f"done:{event_id}"}, {"_id": 1}) is not None

    async def _pull(self, key: str, event_ids: set[str]) -> None:
        """`$pullAll` of the exact stored elements (FerretDB 1.x ignores a `$pull` with a
        condition); the key's marker goes with its last element."""
        elements = await self.waiting_for(key)
        same = [e for e in elements if str(e.get("event_id")) in event_ids]
        if same:
            await self.collection.update_one({"_id": self._id(key)}, {"$pullAll": {"events": same}})
        if len(same) == len(elements):
            await self._unmark(key)

    async def release(self, keys: Sequence[str], apply: Apply, send: DeadLetterSender) -> int:
        """Re-apply what waits for `keys` (now known), oldest first; returns how many.

        Call it after the client's state and lookups are written. An event that fails
        for good goes to its DLQ instead of failing the client event that released it;
        a transient failure propagates (the client event is retried; re-applying is
        harmless).
        """
        released = 0
        for key in keys:
            elements = await self.waiting_for(key)
            if not elements:
                continue
            done: set[str] = set()
            for element in sorted(elements, key=lambda e: e["at"]):
                event_id = str(element["event_id"])
                if await self.is_done(event_id) or await self._reapply(element, apply, send):
                    done.add(event_id)
                    released += 1
            # The key is known: a parker pushing to it now applies its event itself.
            if len(done) == len(elements):
                await self.collection.delete_one({"_id": self._id(key)})
                await self._unmark(key)
            else:
                await self._pull(key, done)
        return released

    async def _reapply(self, element: dict[str, Any], apply: Apply, send: DeadLetterSender) -> bool:
        topic, event_id = self.logical(element["topic"]), str(element["event_id"])
        if event_id in _IN_FLIGHT.get():
            return False  # being applied further up this call chain
        try:
            with applying(event_id):
                await apply(topic, json.loads(element["body"]))
        except ClientNotKnownYet:
            log.info("parked_event_still_waiting", topic=topic, event_id=event_id)
            return False  # it stays parked
        except Exception as exc:
            if is_transient(exc):
                raise
            await park(send, as_record(element), describe(exc), self.service)
        await self.mark_done(event_id)
        EVENTS_WAITING.labels(self.service, topic, "released").inc()
        log.info("parked_event_applied", topic=topic, event_id=event_id)
        return True

    async def expire_overdue(self, send: DeadLetterSender, max_age: timedelta) -> int:
        """Send events parked longer than `max_age` (and never applied) to `<topic>.dlq`;
        returns how many. A periodic admin scan of the (small) waiting collection, off
        the hot path; `done:` marks older than twice the age are dropped."""
        cutoff = datetime.now(UTC) - max_age
        docs = [d async for d in self.collection.find({})]
        overdue: dict[str, list[str]] = {}  # event id -> the keys it is still parked under
        elements: dict[str, dict[str, Any]] = {}
        for doc in docs:
            if str(doc["_id"]).startswith("done:") and doc["at"] <= cutoff - max_age:
                await self.collection.delete_one({"_id": doc["_id"]})
            for element in doc.get("events", ()):
                if element["at"] <= cutoff:
                    event_id = str(element["event_id"])
                    overdue.setdefault(event_id, []).append(str(doc["_id"]))
                    elements.setdefault(event_id, element)
        expired = 0
        for event_id, doc_ids in overdue.items():
            if not await self.is_done(event_id):
                await self._expire(send, elements[event_id])
                await self.mark_done(event_id)
                expired += 1
            for doc_id in doc_ids:
                await self._pull(doc_id.removeprefix("waiting:"), {event_id})
        return expired

    async def _expire(self, send: DeadLetterSender, element: dict[str, Any]) -> None:
        reason = str(element.get("expired_reason") or NEVER_REGISTERED)
        await park(send, as_record(element), reason, self.service)
        topic = self.logical(element["topic"])
        EVENTS_WAITING.labels(self.service, topic, "expired").inc()
        log.warning(
            "parked_event_expired",
            topic=topic,
            event_id=element["event_id"],
            waiting_for=element["keys"],
            reason=reason,
        )
