"""Events that reach complaints before the client they name: parked, then re-applied.

A return by card or phone, or a merge, may arrive before the client's
`client.registered` (different topics, no order between them). Its handler raises
`ClientNotKnownYet`; the subscriber parks the event in `waiting`
(shared/messaging/waiting.py) and acknowledges it. When a registration or an update
makes the client or its card/phone known, what waited for them is re-applied here
through the same handlers (returns are a set per client, merges are safe to repeat).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from aiokafka import ConsumerRecord

from services.complaints import handlers_clients, handlers_problem
from services.complaints.dependencies import Desk, utc_now
from services.complaints.repository_clients import lookup_keys
from shared.contracts.pos import PurchaseReturned
from shared.contracts.registry import ClientErased, ClientMerged, ClientRegistered, ClientUpdated
from shared.messaging.broker import dead_letter_sender
from shared.messaging.dead_letters import DeadLetterSender
from shared.messaging.waiting import WaitingRoom, handle_or_park
from shared.service import ServiceRuntime

CLIENT_EVENTS = {e.TOPIC: e for e in (ClientRegistered, ClientUpdated, ClientMerged, ClientErased)}


def waiting_room(runtime: ServiceRuntime) -> WaitingRoom:
    return WaitingRoom(runtime.db, runtime.settings.service_name, runtime.topics.logical)


def dead_letters(runtime: ServiceRuntime) -> DeadLetterSender:
    return dead_letter_sender(runtime.broker, runtime.settings.kafka_send_timeout_s)


async def known(desk: Desk, keys: Sequence[str]) -> bool:
    """Whether any of these keys (`client:<id>`, `card_number:`, `phone:`) is known now."""
    for key in keys:
        if key.startswith("client:"):
            if await desk.clients.known(key.removeprefix("client:")):
                return True
        elif await desk.clients.resolve(key):
            return True
    return False


async def apply_event(desk: Desk, runtime: ServiceRuntime, topic: str, body: Any) -> None:
    """One client.* event or return through its handler; a client event then releases
    what waited for the keys it made known."""
    now = utc_now()
    if topic == PurchaseReturned.TOPIC:
        await handlers_problem.note_return(desk, PurchaseReturned.model_validate(body), now)
        return
    event = CLIENT_EVENTS[topic].model_validate(body)
    if isinstance(event, ClientRegistered):
        await handlers_clients.remember_client(desk, event, now)
        keys = [f"client:{event.client_id}", *lookup_keys(event.model_dump())]
    elif isinstance(event, ClientUpdated):
        await handlers_clients.update_client(desk, event, now)
        keys = [f"client:{event.client_id}", *lookup_keys(event.changed)]
    elif isinstance(event, ClientMerged):
        await handlers_clients.merge_clients(desk, event, now)
        return
    else:
        await handlers_clients.erase_client(desk, event)
        return
    await release(desk, runtime, keys)


async def release(desk: Desk, runtime: ServiceRuntime, keys: Sequence[str]) -> int:
    async def apply(topic: str, body: dict[str, Any]) -> None:
        await apply_event(desk, runtime, topic, body)

    return await waiting_room(runtime).release(keys, apply, dead_letters(runtime))


async def handle(desk: Desk, runtime: ServiceRuntime, topic: str, body: Any, record: Any) -> None:
    """The subscribers' entry: apply the event, or park it until its client is known."""
    if not isinstance(record, ConsumerRecord):
        await apply_event(desk, runtime, topic, body)
        return

    async def any_known(keys: Sequence[str]) -> bool:
        return await known(desk, keys)

    async def run() -> None:
        await apply_event(desk, runtime, topic, body)

    await handle_or_park(waiting_room(runtime), record, run, any_known)


async def expire_waiting(runtime: ServiceRuntime, max_age_h: float) -> int:
    """The periodic sweep: events parked too long go to their DLQ."""
    room = waiting_room(runtime)
    return await room.expire_overdue(dead_letters(runtime), timedelta(hours=max_age_h))
