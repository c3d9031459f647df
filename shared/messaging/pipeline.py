"""The one way a service handles a message: a handler table and the steps around it.

A service declares once which handler takes which event type (`HandlerTable`,
routes.py) and hands the table to a `Pipeline`, which builds its Kafka subscribers.
A batch handler has this signature (a per-event handler is one, `one_at_a_time`):

    async def handler(events: Sequence[EventType]) -> Outcome

`events` are the decoded, deduplicated events of one Kafka batch in offset order (a
batch of one is the same path); the `Outcome` names the client keys the handler made
known (`outcome.know(keys)`), the events that must wait for a client
(`outcome.wait(event, ClientNotKnownYet(keys))`) and those it refuses for good
(`outcome.reject(event, reason)`). Every batch goes through these steps in order:

1. decode and validate: each record's body against its event type's contract;
2. DLQ on poison: a record that fails to decode, an event the handler refuses, goes
   to `<topic>.dlq` alone with the reason and its bytes, the rest go on (a handler
   raising for a whole batch has its events applied one by one). A transient
   failure (store or broker down) propagates: the batch is redelivered (offsets are
   committed only after its writes, broker.py);
3. per-key serialisation: one consumer per partition (a rebalance waits for the batch
   being written, fence.py); a release and a redelivery take turns (a lock per key);
4. dedup: within the batch the first record per key wins; then ONE claim insert for
   the batch and ONE settle after it (claims.py) on the event type's key:
   `purchase_id` for purchases, `return_id` for returns, else `event_id`, after the
   locks (a redelivery racing a release passes once). `dedup=Dedup.IN_DOCUMENTS`: no
   claim, the handler's writes are the check;
5. waiting room: an event that must wait is parked (waiting.py), unsettled;
6. the handler. What waited for the keys it made known is re-applied through this
   table (each as a batch of one), then the batch's claims are settled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeAlias

from aiokafka import ConsumerRecord

from shared import tracing
from shared.logging import get_logger
from shared.messaging.batches import raw_batch, records_of
from shared.messaging.broker import dead_letter_sender, subscriber_options
from shared.messaging.claims import Claim, Claims
from shared.messaging.dead_letters import (
    DeadLetterSender,
    Unprocessable,
    count_parked,
    describe,
    is_transient,
    park,
)
from shared.messaging.fence import FenceOnRevoke
from shared.messaging.keyed_locks import KeyedLocks
from shared.messaging.routes import (
    SERVICE_GROUP,
    BatchHandler,
    Dedup,
    Handler,
    HandlerTable,
    Item,
    Outcome,
    Route,
    applying_all,
    batch_scope,
    decode,
    dedup_key,
    event_scope,
    first_sight,
    logged_as,
    one_at_a_time,
    partition_of,
    partitions_of,
)
from shared.messaging.waiting import ClientNotKnownYet, WaitingRoom, parked_element

if TYPE_CHECKING:
    from shared.service import ServiceRuntime

__all__ = ["SERVICE_GROUP", "BatchHandler", "Dedup", "Handler", "HandlerTable", "Outcome"]
__all__ += ["Pipeline", "Route", "decode", "dedup_key", "event_scope", "one_at_a_time"]
__all__ += ["first_sight", "partition_of", "partitions_of"]

log = get_logger(__name__)

Known = Callable[[Sequence[str]], Awaitable[bool]]
Record: TypeAlias = "ConsumerRecord[Any, Any]"
SLOW_BATCH_POLL_MS = 600_000  # a batch of 500 on a slow store may take minutes


class Pipeline:
    """Builds a service's subscribers from its table and runs every batch the same way.

    `known(keys)` says whether the service knows any of these client keys now; without
    it an event that must wait for a client is poison (DLQ).
    """

    def __init__(
        self,
        table: HandlerTable,
        runtime: ServiceRuntime,
        known: Known | None = None,
        *,
        batch_size: int = 100,
        batch_timeout_ms: int = 100,
        fence: Callable[[], asyncio.Lock] | None = None,  # fence.py: the write lock
        co_partitioned: bool = False,  # broker.py, `subscriber_options`
    ) -> None:
        self.table, self.runtime, self.known, self.fence = table, runtime, known, fence
        self.co_partitioned = co_partitioned
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
        for group, routes in self.table.groups():
            self._subscriber(group, routes)

    def _subscriber(self, group: str, routes: Sequence[Route]) -> None:
        topics = [self.runtime.topics(route.event.TOPIC) for route in routes]
        self.runtime.consumes.update(zip(topics, (route.event for route in routes), strict=True))
        group_id = f"{self.service}.{group}" if group != SERVICE_GROUP else None
        options = subscriber_options(self.runtime.settings, group_id, self.co_partitioned)
        if any(route.max_records for route in routes):
            options["max_poll_interval_ms"] = SLOW_BATCH_POLL_MS
        if self.fence is not None:
            options["listener"] = FenceOnRevoke(self.fence)
        subscriber = self.runtime.broker.subscriber(
            *topics,
            batch=True,
            max_records=max(route.max_records or self.batch_size for route in routes),
            batch_timeout_ms=max(r.batch_timeout_ms or self.batch_timeout_ms for r in routes),
            **raw_batch(),
            **options,
        )

        # The records arrive undecoded: each is validated on its own (one bad record
        # spoils nothing); the AsyncAPI document names their contracts (asyncapi.py).
        async def consume(records: Any) -> None:
            await self.consume(records_of(records))

        subscriber(consume)

    async def consume(self, records: Sequence[Record]) -> None:
        """A batch (or a single record): each run of one event type as one batch, in
        offset order."""
        for topic, run in self._runs(records):
            route = self.by_topic.get(topic)
            if route is None:
                for record in run:
                    await self._refuse_record(record, f"no handler for topic {record.topic}")
                continue
            with tracing.consumer_spans(run) as traces:
                items = await self._decoded(route, run, traces)
                if items:
                    await self.apply(route, items)

    def _runs(self, records: Sequence[Record]) -> list[tuple[str, list[Record]]]:
        runs: list[tuple[str, list[Record]]] = []
        for record in records:
            topic = self.runtime.topics.logical(record.topic)
            if runs and runs[-1][0] == topic:
                runs[-1][1].append(record)
            else:
                runs.append((topic, [record]))
        return runs

    async def _decoded(
        self, route: Route, records: Sequence[Record], traces: Sequence[dict[str, str]]
    ) -> list[Item]:
        """The valid events, the first per dedup key; the others parked or dropped."""
        items: dict[str, Item] = {}
        for record, trace in zip(records, traces, strict=True):
            try:
                event = decode(route.event, record)
            except Exception as exc:
                await self._refuse_record(record, describe(exc))
                continue
            key = dedup_key(event)
            if key in items:
                log.info("duplicate_event_ignored", event_id=str(event.event_id), dedup_key=key)
                continue
            items[key] = Item(event, key, record, trace)
        return list(items.values())

    async def apply(self, route: Route, items: Sequence[Item]) -> None:
        """Dedup, handler, waiting room, release, settle: one batch of one route."""
        async with self.locks.holding([f"{route.event.TOPIC}:{item.key}" for item in items]):
            claims = None
            if route.dedup is Dedup.CLAIM:
                claims = Claims(self.runtime.db, f"{self.service}.{route.event.TOPIC}")
                items = await self._unclaimed(claims, items)
            if not items:
                return
            took_effect = await self._handle(route, items)
            if claims is not None:
                await claims.settle(took_effect)

    async def _unclaimed(self, claims: Claims, items: Sequence[Item]) -> list[Item]:
        states = await claims.claim([item.key for item in items])
        for item in items:
            if states[item.key] is Claim.DONE:
                log.info(
                    "duplicate_event_ignored", event_id=str(item.event.event_id), dedup_key=item.key
                )
        left = [item for item in items if states[item.key] is not Claim.DONE]
        return [replace(i, first_sight=states[i.key] is Claim.NEW) for i in left]

    async def _handle(self, route: Route, items: Sequence[Item]) -> list[str]:
        """Run the handler, refuse, park and release what it says; returns the keys of
        the events that took effect (to settle)."""
        outcome = await self._outcome(route, items)
        by_key = {item.key: item for item in items}
        for key, reason in outcome.rejected.items():
            await self._refuse(by_key[key], reason)
        late = await self._park([(by_key[k], why) for k, why in outcome.waiting.items()])
        if late:  # their client became known meanwhile, released before they were parked
            again = await self._outcome(route, [replace(i, first_sight=False) for i in late])
            for key, reason in again.rejected.items():
                await self._refuse(by_key[key], reason)
            for item in late:
                if item.key not in again.waiting:  # the parked copies are dropped
                    await self.room.mark_done(str(item.event.event_id))
            outcome.know(again.made_known)
            outcome.rejected |= again.rejected
            tried = {item.key for item in late}  # the others still wait (else lost)
            waiting = outcome.waiting.items()
            outcome.waiting = {k: w for k, w in waiting if k not in tried or k in again.waiting}
        applied = [i for i in items if i.key not in outcome.waiting | outcome.rejected]
        if outcome.made_known:
            with applying_all(applied):
                await self.release(outcome.made_known)
        return [item.key for item in applied]

    async def _outcome(self, route: Route, items: Sequence[Item]) -> Outcome:
        """The handler's outcome; a batch it refuses as a whole is applied one by one."""
        try:
            with batch_scope(items):
                return await route.handler([item.event for item in items])
        except Exception as exc:
            if is_transient(exc):
                raise  # redelivered: the claims stay unsettled
            if len(items) > 1:
                log.warning("batch_applied_one_by_one", events=len(items), error=describe(exc))
                outcome = Outcome()
                for item in items:  # tried once already: no longer a first sight
                    again = replace(item, first_sight=False)
                    outcome.merge(await self._outcome(route, [again]))
                return outcome
            return Outcome.refusing(items[0].event, exc)

    async def _park(self, waiting: Sequence[tuple[Item, ClientNotKnownYet]]) -> list[Item]:
        """Park events in the waiting room; returns those whose client is known by now.
        An event re-applied from the room (no record) stays there: the error propagates."""
        late, now = [], datetime.now(UTC)
        for item, why in waiting:
            if item.record is None:
                raise why
            if self.known is None:
                await self._refuse(item, describe(why))
                continue
            element = parked_element(item.record, why.keys, why.reason, now, why.expired)
            await self.room.park(element)
            if await self.known(element["keys"]):
                late.append(item)
        return late

    async def _refuse(self, item: Item, reason: str) -> None:
        """To the DLQ alone; one re-applied from the waiting room goes there from it."""
        if item.record is None:
            raise Unprocessable(reason)
        await self._refuse_record(item.record, reason)

    async def _refuse_record(self, record: Record, reason: str) -> None:
        with logged_as(record):
            await park(self.dead_letters, record, reason, self.service)
        count_parked(record.topic)  # failed, not consumed (dead_letters.py)

    async def release(self, keys: Sequence[str]) -> int:
        """Re-apply, through this table, what waited for these keys (now known)."""
        return await self.room.release(keys, self.reapply, self.dead_letters)

    async def reapply(self, topic: str, body: dict[str, Any]) -> None:
        route = self.by_topic[topic]
        event = route.event.model_validate(body)
        await self.apply(route, [Item(event, dedup_key(event))])

    async def expire_waiting(self, max_age_h: float) -> int:
        """The periodic sweep: events parked longer than `max_age_h` go to their DLQ."""
        return await self.room.expire_overdue(self.dead_letters, timedelta(hours=max_age_h))
