"""The one way a service handles a message: a handler table and the steps around it.

A service declares once which handler takes which event type (`HandlerTable`) and
hands the table to a `Pipeline`, which builds its Kafka subscribers. Every record,
whether it came in a batch of one or of hundreds, goes through the same steps:

1. decode and validate: the body against the event type's contract;
2. DLQ on poison: a record that fails to decode, or whose handler fails for good, goes
   to `<topic>.dlq` with the reason and its original bytes, and the next record is
   processed; a transient failure (store or broker unreachable) propagates, so the
   batch is redelivered from its first record (offsets are committed only after the
   batch's writes, see broker.py);
3. per-key serialisation: a batch is applied record after record (Kafka gives one
   partition, so one client's events, to one consumer of the group), and a lock per
   dedup key makes the waiting room's re-application of an event and a redelivery of
   it take turns in this process;
4. dedup: a claim (a unique `_id` insert, claims.py) on the event type's key:
   `purchase_id` for purchases, `return_id` for returns, else `event_id`. It comes
   after serialisation, so a redelivery racing a waiting-room release finds the
   other's claim settled and does not pass twice. A route added with
   `dedup=Dedup.IN_DOCUMENTS` has no claim: its handler's own writes are the check (loyalty's
   receipts and journal, docs/loyalty.md);
5. waiting room: a handler that raises `ClientNotKnownYet` has its event parked
   (waiting.py) until a client event makes the client known;
6. the handler. It may return the client keys it made known (`client:<id>`,
   `card:<n>`, `phone:<e164>`); what waited for them is re-applied through this same
   table, then the event's claim is settled.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any

import structlog
from aiokafka import ConsumerRecord

from shared import tracing
from shared.contracts.base import Event
from shared.contracts.pos import PurchaseRecorded, PurchaseReturned
from shared.logging import get_logger
from shared.messaging.batches import raw_batch, records_of
from shared.messaging.broker import dead_letter_sender, subscriber_options
from shared.messaging.claims import Claim, Claims
from shared.messaging.correlation import HEADER as CORRELATION_HEADER
from shared.messaging.correlation import bind_correlation_id
from shared.messaging.dead_letters import (
    DeadLetterSender,
    count_parked,
    describe,
    header_of,
    is_transient,
    park,
)
from shared.messaging.keyed_locks import KeyedLocks
from shared.messaging.waiting import ClientNotKnownYet, WaitingRoom, applying, parked_element

if TYPE_CHECKING:
    from shared.service import ServiceRuntime

log = get_logger(__name__)

# A handler takes the decoded event; it may return the client keys it made known.
Handler = Callable[[Any], Awaitable[Sequence[str] | None]]
Known = Callable[[Sequence[str]], Awaitable[bool]]

# The key a repeated event is recognised by, when it is not the event id: the same
# purchase sent twice with a new event_id counts once (ARCHITECTURE.md, POS contract).
DEDUP_FIELDS: dict[type[Event], str] = {
    PurchaseRecorded: "purchase_id",
    PurchaseReturned: "return_id",
}


def dedup_key(event: Event) -> str:
    field = DEDUP_FIELDS.get(type(event))
    return f"{field}:{getattr(event, field)}" if field else str(event.event_id)


# `group=SERVICE_GROUP`: the service's own consumer group (`<prefix><service>`), not
# `<prefix><service>.<group>`.
SERVICE_GROUP = ""


class Dedup(Enum):
    CLAIM = "claim"  # a claim in `inbox` (claims.py) before the handler
    IN_DOCUMENTS = "in_documents"  # the handler's own documents recognise a repeat


@dataclass(frozen=True)
class Route:
    event: type[Event]
    handler: Handler
    group: str  # routes with one group are one consumer: one writer for what they share
    dedup: Dedup = Dedup.CLAIM


class HandlerTable:
    """`{EventType: handler}` of one service, and the consumer group each type goes to."""

    def __init__(self) -> None:
        self.routes: dict[type[Event], Route] = {}

    def add(
        self,
        event: type[Event],
        handler: Handler,
        group: str | None = None,
        dedup: Dedup = Dedup.CLAIM,
    ) -> None:
        """`group` None: a consumer group of the event's own (`<service>.<topic>`)."""
        if event in self.routes:
            raise ValueError(f"{event.__name__} has a handler already")
        self.routes[event] = Route(event, handler, event.TOPIC if group is None else group, dedup)

    def groups(self) -> dict[str, list[Route]]:
        grouped: dict[str, list[Route]] = {}
        for route in self.routes.values():
            grouped.setdefault(route.group, []).append(route)
        return grouped


def decode(event_type: type[Event], record: ConsumerRecord[Any, Any]) -> Event:
    """The record's body as `event_type`, decoded the way FastStream does: JSON when the
    record says so (bad JSON is then an error), else JSON if it parses, else bytes."""
    body: Any = record.value or b""
    if (header_of(record, "content-type") or "").startswith("application/json"):
        body = json.loads(body)
    else:
        with contextlib.suppress(ValueError):
            body = json.loads(body)
    return event_type.model_validate(body)


@contextlib.contextmanager
def logged_as(record: ConsumerRecord[Any, Any]) -> Iterator[None]:
    """Logs (and publishes) while handling a record carry its correlation id and origin."""
    cid = header_of(record, CORRELATION_HEADER) or header_of(record, "correlation_id")
    bind_correlation_id(cid)
    with structlog.contextvars.bound_contextvars(topic=record.topic, offset=record.offset):
        yield


class Pipeline:
    """Builds a service's subscribers from its table and runs every record the same way.

    `known(keys)` says whether the service knows any of these client keys now; without
    it an event whose handler raises `ClientNotKnownYet` is poison (DLQ).
    """

    def __init__(
        self,
        table: HandlerTable,
        runtime: ServiceRuntime,
        known: Known | None = None,
        *,
        batch_size: int = 100,
        batch_timeout_ms: int = 100,
    ) -> None:
        self.table, self.runtime, self.known = table, runtime, known
        self.service = runtime.settings.service_name
        self.batch_size, self.batch_timeout_ms = batch_size, batch_timeout_ms
        self.locks = KeyedLocks()
        self.by_topic = {route.event.TOPIC: route for route in table.routes.values()}

    @property
    def room(self) -> WaitingRoom:
        return WaitingRoom(self.runtime.db, self.service, self.runtime.topics.logical)

    @property
    def dead_letters(self) -> DeadLetterSender:
        return dead_letter_sender(self.runtime.broker, self.runtime.settings.kafka_send_timeout_s)

    def subscribe(self) -> None:
        """One batch subscriber (and consumer group) per group of the table."""
        for group, routes in self.table.groups().items():
            self._subscriber(group, routes)

    def _subscriber(self, group: str, routes: Sequence[Route]) -> None:
        topics = [self.runtime.topics(route.event.TOPIC) for route in routes]
        self.runtime.consumes.update(zip(topics, (route.event for route in routes), strict=True))
        group_id = f"{self.service}.{group}" if group != SERVICE_GROUP else None
        options = subscriber_options(self.runtime.settings, group_id)
        subscriber = self.runtime.broker.subscriber(
            *topics,
            batch=True,
            max_records=self.batch_size,
            batch_timeout_ms=self.batch_timeout_ms,
            **raw_batch(),
            **options,
        )

        # The records arrive undecoded: each is validated on its own (one bad record
        # spoils nothing); the AsyncAPI document names their contracts (asyncapi.py).
        async def consume(records: Any) -> None:
            await self.consume(records_of(records))

        subscriber(consume)

    async def consume(self, records: Sequence[ConsumerRecord[Any, Any]]) -> None:
        """A batch (or a single record): each record in turn, in offset order."""
        for record in records:
            await self.process(record)

    async def process(self, record: ConsumerRecord[Any, Any]) -> None:
        with logged_as(record), tracing.consumer_span(record):
            try:
                route = self.by_topic[self.runtime.topics.logical(record.topic)]
                event = decode(route.event, record)
                with structlog.contextvars.bound_contextvars(event_id=str(event.event_id)):
                    await self.apply(route, event, record)
            except Exception as exc:
                if is_transient(exc):
                    raise  # redelivered: the claim stays unsettled
                await park(self.dead_letters, record, describe(exc), self.service)
                count_parked(record.topic)  # failed, not consumed (dead_letters.py)

    async def apply(
        self, route: Route, event: Event, record: ConsumerRecord[Any, Any] | None = None
    ) -> None:
        """Dedup, waiting room, handler. `record` is None for an event re-applied from
        the waiting room: there `ClientNotKnownYet` propagates (it stays parked)."""
        key = dedup_key(event)
        claims = Claims(self.runtime.db, f"{self.service}.{route.event.TOPIC}")
        async with self.locks(f"{route.event.TOPIC}:{key}"):
            claimed = route.dedup is Dedup.CLAIM
            if claimed and await claims.claim(key) is Claim.DONE:
                log.info("duplicate_event_ignored", event_id=str(event.event_id), dedup_key=key)
                return
            with applying(str(event.event_id)):
                made_known = await self._handle(route, event, record)
                if made_known is None:
                    return  # parked: the claim stays unsettled until it is applied
                if made_known:
                    await self.release(made_known)
            if claimed:
                await claims.settle(key)

    async def _handle(
        self, route: Route, event: Event, record: ConsumerRecord[Any, Any] | None
    ) -> Sequence[str] | None:
        """The handler's keys made known, or None when the event was parked."""
        try:
            return await route.handler(event) or ()
        except ClientNotKnownYet as waiting:
            if record is None or self.known is None:
                raise
            element = parked_element(
                record, waiting.keys, waiting.reason, datetime.now(UTC), waiting.expired
            )
        await self.room.park(element)
        # The client may have become known meanwhile, released before this was parked:
        # then apply it here (and mark the parked copies done, so they are dropped).
        if not await self.known(element["keys"]):
            return None
        try:
            made_known = await route.handler(event) or ()
        except ClientNotKnownYet:
            return None  # still waiting: the release or the sweep will take it
        await self.room.mark_done(str(element["event_id"]))
        log.info("parked_event_applied", event_id=element["event_id"])
        return made_known

    async def release(self, keys: Sequence[str]) -> int:
        """Re-apply, through this table, what waited for these keys (now known)."""
        return await self.room.release(keys, self.reapply, self.dead_letters)

    async def reapply(self, topic: str, body: dict[str, Any]) -> None:
        route = self.by_topic[topic]
        await self.apply(route, route.event.model_validate(body))

    async def expire_waiting(self, max_age_h: float) -> int:
        """The periodic sweep: events parked longer than `max_age_h` go to their DLQ."""
        return await self.room.expire_overdue(self.dead_letters, timedelta(hours=max_age_h))
