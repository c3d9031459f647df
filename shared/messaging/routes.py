"""A service's handler table: which handler takes which event type, and how.

Two kinds of route (pipeline.py runs both the same way, a Kafka batch at a time):

- `table.add(EventType, handler)`: `async def handler(event) -> keys | None`, one
  event at a time; it may return the client keys it made known and may raise
  `ClientNotKnownYet` (the event waits) or any other error (the event is poison);
- `table.add_batch(EventType, handler)`: `async def handler(events) -> Outcome`, the
  decoded, deduplicated events of one Kafka batch in offset order (a batch of one
  too); it says in the `Outcome` which keys it made known, which events must wait
  (`outcome.wait(event, ClientNotKnownYet(...))`) and which it refuses for good
  (`outcome.reject(event, reason)`: to the DLQ, alone). Raising refuses the whole
  batch: the pipeline then applies its events one by one, so only the poison one
  is parked. A per-event route is a batch route whose handler is `one_at_a_time`.

While a batch handler plans one event, `event_scope(event)` gives it that event's
log fields, correlation id and trace (what it publishes continues that trace).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import structlog
from aiokafka import ConsumerRecord

from shared import tracing
from shared.contracts.base import Event
from shared.contracts.pos import PurchaseRecorded, PurchaseReturned
from shared.messaging.correlation import HEADER as CORRELATION_HEADER
from shared.messaging.correlation import bind_correlation_id
from shared.messaging.dead_letters import describe, header_of, is_transient
from shared.messaging.waiting import ClientNotKnownYet, applying

# A handler takes the decoded event; it may return the client keys it made known.
Handler = Callable[[Any], Awaitable[Sequence[str] | None]]
BatchHandler = Callable[[Sequence[Any]], Awaitable["Outcome"]]

# The key a repeated event is recognised by, when it is not the event id: the same
# purchase sent twice with a new event_id counts once (ARCHITECTURE.md, POS contract).
DEDUP_FIELDS: dict[type[Event], str] = {
    PurchaseRecorded: "purchase_id",
    PurchaseReturned: "return_id",
}

# `group=SERVICE_GROUP`: the service's own consumer group (`<prefix><service>`), not
# `<prefix><service>.<group>`.
SERVICE_GROUP = ""


def dedup_key(event: Event) -> str:
    field_ = DEDUP_FIELDS.get(type(event))
    return f"{field_}:{getattr(event, field_)}" if field_ else str(event.event_id)


class Dedup(Enum):
    CLAIM = "claim"  # a claim in `inbox` (claims.py) before the handler
    IN_DOCUMENTS = "in_documents"  # the handler's own documents recognise a repeat


@dataclass
class Outcome:
    """What a batch handler reports: keys made known, events waiting or refused."""

    made_known: list[str] = field(default_factory=list)
    waiting: dict[str, ClientNotKnownYet] = field(default_factory=dict)  # by dedup key
    rejected: dict[str, str] = field(default_factory=dict)  # dedup key -> DLQ reason

    def know(self, keys: Sequence[str]) -> None:
        self.made_known += [k for k in keys if k not in self.made_known]

    def wait(self, event: Event, why: ClientNotKnownYet) -> None:
        self.waiting[dedup_key(event)] = why

    def reject(self, event: Event, reason: str) -> None:
        self.rejected[dedup_key(event)] = reason

    def merge(self, other: Outcome) -> None:
        self.know(other.made_known)
        self.waiting |= other.waiting
        self.rejected |= other.rejected

    @classmethod
    def refusing(cls, event: Event, exc: Exception) -> Outcome:
        """A handler raised for this one event: it waits, or it is poison."""
        outcome = cls()
        if isinstance(exc, ClientNotKnownYet):
            outcome.wait(event, exc)
        else:
            outcome.reject(event, describe(exc))
        return outcome


@dataclass(frozen=True)
class Route:
    event: type[Event]
    handler: BatchHandler
    group: str  # routes with one group are one consumer: one writer for what they share
    dedup: Dedup = Dedup.CLAIM
    max_records: int | None = None  # a batch route's own batch size (else the pipeline's)
    batch_timeout_ms: int | None = None


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
        self.add_batch(event, one_at_a_time(handler), group, dedup)

    def add_batch(
        self,
        event: type[Event],
        handler: BatchHandler,
        group: str | None = None,
        dedup: Dedup = Dedup.CLAIM,
        *,
        max_records: int | None = None,
        batch_timeout_ms: int | None = None,
    ) -> None:
        """A handler of whole batches (see the module docstring for its contract)."""
        if event in self.routes:
            raise ValueError(f"{event.__name__} has a handler already")
        group = event.TOPIC if group is None else group
        route = Route(event, handler, group, dedup, max_records, batch_timeout_ms)
        self.routes[event] = route

    def groups(self) -> list[tuple[str, list[Route]]]:
        """The consumers: routes by group; a batch route with batch settings of its own
        is a consumer of its own (in that group) and waits for no other topic."""
        grouped: dict[tuple[str, int | None, int | None], list[Route]] = {}
        for route in self.routes.values():
            key = (route.group, route.max_records, route.batch_timeout_ms)
            grouped.setdefault(key, []).append(route)
        return [(key[0], routes) for key, routes in grouped.items()]


def one_at_a_time(handler: Handler) -> BatchHandler:
    """A per-event handler as a batch handler: each event in turn, in its own scope."""

    async def batch(events: Sequence[Any]) -> Outcome:
        outcome = Outcome()
        for event in events:
            with event_scope(event):
                try:
                    outcome.know(await handler(event) or ())
                except ClientNotKnownYet as waiting:
                    outcome.wait(event, waiting)
                except Exception as exc:
                    if is_transient(exc):
                        raise  # the whole batch is redelivered
                    outcome.reject(event, describe(exc))
        return outcome

    return batch


@dataclass(frozen=True)
class Item:
    """One event of a batch with where it came from (`record` None: re-applied from the
    waiting room) and the trace it is handled in."""

    event: Event
    key: str
    record: ConsumerRecord[Any, Any] | None = None
    trace: Mapping[str, str] | None = None
    first_sight: bool = False  # its claim was new: never handled before, not even half


_SCOPE: ContextVar[Mapping[str, Item] | None] = ContextVar("pipeline_batch", default=None)


@contextlib.contextmanager
def batch_scope(items: Sequence[Item]) -> Iterator[None]:
    """The batch in hand, for `event_scope`."""
    token = _SCOPE.set({item.key: item for item in items})
    try:
        yield
    finally:
        _SCOPE.reset(token)


@contextlib.contextmanager
def event_scope(event: Event) -> Iterator[None]:
    """Handle `event` of the batch in hand: its log fields, correlation id and trace."""
    item = (_SCOPE.get() or {}).get(dedup_key(event))
    with structlog.contextvars.bound_contextvars(event_id=str(event.event_id)):
        if item is None or item.record is None:
            yield
            return
        with logged_as(item.record), tracing.within(item.trace):
            yield


def first_sight(event: Event) -> bool:
    """Whether the pipeline's claim proved `event` new (never handled, not even half
    way): a batch handler then need not look for traces of an earlier attempt."""
    item = (_SCOPE.get() or {}).get(dedup_key(event))
    return bool(item and item.first_sight)


def partitions_of(events: Sequence[Event]) -> list[str]:
    """`<topic>:<partition>` of the records these events of the batch in hand came in."""
    scope = _SCOPE.get() or {}
    records = (scope[k].record for k in map(dedup_key, events) if k in scope)
    return sorted({f"{r.topic}:{r.partition}" for r in records if r is not None})


def partition_of(event: Event) -> int | None:
    """The partition number of the record `event` of the batch in hand came in (None:
    re-applied from the waiting room, or called outside the pipeline)."""
    item = (_SCOPE.get() or {}).get(dedup_key(event))
    return item.record.partition if item is not None and item.record is not None else None


@contextlib.contextmanager
def logged_as(record: ConsumerRecord[Any, Any]) -> Iterator[None]:
    """Logs (and publishes) while handling a record carry its correlation id and origin."""
    cid = header_of(record, CORRELATION_HEADER) or header_of(record, "correlation_id")
    bind_correlation_id(cid)
    with structlog.contextvars.bound_contextvars(topic=record.topic, offset=record.offset):
        yield


def decode(event_type: type[Event], record: ConsumerRecord[Any, Any]) -> Event:
    """The record's body as `event_type`: JSON when the record says so (bad JSON is then
    an error), else JSON if it parses; bytes that are not JSON are refused as
    `json_invalid` (the DLQ reason a POS integrator understands)."""
    body: Any = record.value or b""
    if (header_of(record, "content-type") or "").startswith("application/json"):
        body = json.loads(body)
    else:
        try:
            body = json.loads(body)
        except ValueError:
            return event_type.model_validate_json(body)
    return event_type.model_validate(body)


@contextlib.contextmanager
def applying_all(items: Iterable[Item]) -> Iterator[None]:
    """`waiting.applying` for several events: a release they cause skips them."""
    with contextlib.ExitStack() as stack:
        for item in items:
            stack.enter_context(applying(str(item.event.event_id)))
        yield
