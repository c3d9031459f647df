"""Events that reach surveys before the client they name: parked, then re-applied.

A purchase, a birthday bonus, an at-risk signal, an update or a merge may arrive
before `client.registered` (different topics, no order between them). Its handler
raises `ClientNotKnownYet`;
the subscriber parks the event in `waiting` (shared/messaging/waiting.py) and
acknowledges it. When a registration or an update makes the client, its card or its
phone known, what waited for them is re-applied here through the same handlers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from aiokafka import ConsumerRecord

from services.surveys import handlers, handlers_outreach
from services.surveys.handlers import Surveys
from shared.contracts.loyalty import BonusAccrued, ClientAtRisk
from shared.contracts.pos import PurchaseRecorded
from shared.contracts.registry import ClientErased, ClientMerged, ClientRegistered, ClientUpdated
from shared.messaging.broker import dead_letter_sender
from shared.messaging.dead_letters import DeadLetterSender
from shared.messaging.waiting import WaitingRoom, handle_or_park


def waiting_room(ctx: Surveys) -> WaitingRoom:
    return WaitingRoom(ctx.db, ctx.settings.service_name, ctx.runtime.topics.logical)


def dead_letters(ctx: Surveys) -> DeadLetterSender:
    return dead_letter_sender(ctx.runtime.broker, ctx.settings.kafka_send_timeout_s)


async def known(ctx: Surveys, keys: Sequence[str]) -> bool:
    """Whether surveys now knows any of these client keys (`client:`, `card:`, `phone:`)."""
    for key in keys:
        if key.startswith("client:"):
            if await ctx.clients.get(key.removeprefix("client:")) is not None:
                return True
        elif await ctx.clients.client_by(key):
            return True
    return False


def client_keys(client_id: str, card_number: str | None, phone: str | None) -> list[str]:
    keys = [f"client:{client_id}"]
    keys += [f"card:{card_number}"] if card_number else []
    keys += [f"phone:{phone}"] if phone else []
    return keys


async def release(ctx: Surveys, keys: Sequence[str]) -> int:
    """Re-apply what waited for these keys (the client is known now)."""

    async def apply(topic: str, body: dict[str, Any]) -> None:
        await apply_event(ctx, topic, body)

    return await waiting_room(ctx).release(keys, apply, dead_letters(ctx))


async def apply_event(ctx: Surveys, topic: str, body: dict[str, Any]) -> None:
    """One client.* or purchase event through its handler; a client event that makes
    keys known then releases what waited for them."""
    if topic == ClientRegistered.TOPIC:
        registered = ClientRegistered.model_validate(body)
        await handlers.remember_client(ctx, registered)
        await release(
            ctx, client_keys(registered.client_id, registered.card_number, registered.phone)
        )
    elif topic == ClientUpdated.TOPIC:
        client = await handlers.update_client(ctx, ClientUpdated.model_validate(body))
        await release(ctx, client_keys(client.client_id, client.card_number, client.phone)[1:])
    elif topic == ClientMerged.TOPIC:
        await handlers.merge_clients(ctx, ClientMerged.model_validate(body))
    elif topic == ClientErased.TOPIC:
        await handlers.erase_client(ctx, ClientErased.model_validate(body))
    elif topic == PurchaseRecorded.TOPIC:
        await handlers_outreach.survey_after_visit(ctx, PurchaseRecorded.model_validate(body))
    elif topic == BonusAccrued.TOPIC:
        await handlers_outreach.birthday_greeting(ctx, BonusAccrued.model_validate(body))
    elif topic == ClientAtRisk.TOPIC:
        await handlers_outreach.win_back(ctx, ClientAtRisk.model_validate(body))
    else:
        raise ValueError(f"surveys does not handle {topic}")


async def handle(ctx: Surveys, topic: str, body: dict[str, Any], record: Any) -> None:
    """The subscribers' entry: apply the event, or park it until its client is known."""
    if not isinstance(record, ConsumerRecord):
        await apply_event(ctx, topic, body)  # not from Kafka (nothing to park)
        return

    async def any_known(keys: Sequence[str]) -> bool:
        return await known(ctx, keys)

    async def run() -> None:
        await apply_event(ctx, topic, body)

    await handle_or_park(waiting_room(ctx), record, run, any_known)


async def expire_waiting(ctx: Surveys) -> int:
    """The periodic sweep: events parked too long go to their DLQ."""
    max_age = timedelta(hours=ctx.settings.waiting_max_age_h)
    return await waiting_room(ctx).expire_overdue(dead_letters(ctx), max_age)
