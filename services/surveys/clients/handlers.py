"""Surveys' client projection: client.* and complaint.* events, idempotent on event_id.

The projection is what outreach decides with: phone, language, SMS consent, name day,
merges and erasure, and which complaints are open (no survey while one is).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.surveys.bootstrap import Context
from services.surveys.clients.model import KnownClient
from shared.contracts.registry import ClientErased, ClientMerged, ClientRegistered, ClientUpdated
from shared.logging import get_logger
from shared.messaging.idempotency import LAST_APPLIED
from shared.messaging.waiting import ClientNotKnownYet, WaitingRoom
from shared.messaging.waiting_erasure import ErasedClient, forget_parked

log = get_logger(__name__)

PROJECTED_FIELDS = {"name", "phone", "category", "card_number", "language", "name_day"}


def client_keys(client_id: str, card_number: str | None, phone: str | None) -> list[str]:
    """The keys a parked event may wait for (`client:`, `card:`, `phone:`)."""
    keys = [f"client:{client_id}"]
    keys += [f"card:{card_number}"] if card_number else []
    keys += [f"phone:{phone}"] if phone else []
    return keys


async def known(ctx: Context, keys: Sequence[str]) -> bool:
    """Whether surveys now knows any of these client keys (for the waiting room)."""
    for key in keys:
        if key.startswith("client:"):
            if await ctx.clients.get(key.removeprefix("client:")) is not None:
                return True
        elif await ctx.clients.client_by(key):
            return True
    return False


async def _apply(ctx: Context, event_key: str, client: KnownClient) -> None:
    # The pipeline dedups on the event id; `_last_applied` records this write's event.
    await ctx.clients.save(client, event_key)


async def _point_lookups(ctx: Context, old: KnownClient | None, new: KnownClient) -> None:
    for field in ("phone", "card_number"):
        prefix = "card" if field == "card_number" else "phone"
        before, after = getattr(old, field, None), getattr(new, field)
        if before and before != after:
            await ctx.clients.unpoint(f"{prefix}:{before}", new.client_id)
        if after:
            await ctx.clients.point(f"{prefix}:{after}", new.client_id)


async def remember_client(ctx: Context, event: ClientRegistered) -> list[str]:
    """Project the client; returns its keys when something waited for them.

    Two commands: the client inserted unless it exists (an erasure came first, from
    another topic, or this is a repeat), then its lookups and the waiting room's
    probes in one bulk write. A repeat of the last event applied (a crash before the
    lookups) writes them again; after any later event it changes nothing, so the
    route needs no inbox claim.
    """
    keys = client_keys(event.client_id, event.card_number, event.phone)
    sms = event.consents.get("sms")
    client = KnownClient(
        client_id=event.client_id,
        name=event.name,
        phone=event.phone,
        category=event.category,
        card_number=event.card_number,
        language=event.language,
        name_day=event.name_day,
        sms_consent=bool(sms and sms.granted),
    )
    event_key = str(event.event_id)
    before = await ctx.clients.register(client, event_key)
    if before is not None and before.get(LAST_APPLIED) != [event_key]:
        log.info("registration_already_applied_or_erased", client_id=event.client_id)
        return []
    pointers = {key: client.client_id for key in keys[1:]}
    return keys if await ctx.clients.point_all(pointers, keys) else []


async def update_client(ctx: Context, event: ClientUpdated) -> list[str]:
    """Apply the projected changes; returns the card and phone keys it made known."""
    old = await ctx.clients.get(event.client_id)
    if old is None:
        raise ClientNotKnownYet([f"client:{event.client_id}"], "update_for_unknown_client")
    if old.erased:
        return client_keys(old.client_id, old.card_number, old.phone)[1:]
    changes = {k: v for k, v in event.changed.items() if k in PROJECTED_FIELDS}
    consents = event.changed.get("consents")
    if isinstance(consents, dict) and isinstance(consents.get("sms"), dict):
        changes["sms_consent"] = bool(consents["sms"].get("granted"))
    new = old.model_copy(update=changes)
    await _point_lookups(ctx, old, new)
    await _apply(ctx, str(event.event_id), new)
    return client_keys(new.client_id, new.card_number, new.phone)[1:]


async def merge_clients(ctx: Context, event: ClientMerged) -> None:
    """The merged client's keys now lead to the survivor; history stays where it is."""
    merged = await ctx.clients.get(event.merged_id)
    if merged is None:  # its registration would undo the merge: wait for it
        raise ClientNotKnownYet([f"client:{event.merged_id}"], "merge_of_unknown_client")
    for prefix, value in (("phone", merged.phone), ("card", merged.card_number)):
        if value:
            await ctx.clients.point(f"{prefix}:{value}", event.survivor_id)
    for complaint_id in await ctx.complaints.open_ids(event.merged_id):
        await ctx.complaints.mark_open(event.survivor_id, complaint_id, True)
    await _apply(
        ctx,
        str(event.event_id),
        merged.model_copy(update={"merged_into": event.survivor_id}),
    )


async def erase_client(ctx: Context, event: ClientErased) -> None:
    """Personal data goes (name, phone, card, texts, comments, parked copies of events
    naming the client); anonymous counts stay."""
    client = await ctx.clients.get(event.client_id)
    phone, card = (client.phone, client.card_number) if client else (None, None)
    erased = ErasedClient.of(event.client_id, [phone], [card])
    await forget_parked(WaitingRoom(ctx.store, "surveys"), erased)
    if client is not None:
        if client.phone:
            await ctx.clients.unpoint(f"phone:{client.phone}", client.client_id)
            await ctx.clients.lookups.delete_one({"_id": f"open_survey:{client.phone}"})
        if client.card_number:
            await ctx.clients.unpoint(f"card:{client.card_number}", client.client_id)
    for message in await ctx.messages.of_client(event.client_id):
        await ctx.messages.unplan(message["_id"])
        redacted: dict[str, Any] = {"phone": None, "text": None, "erased": True}
        if message.get("status") == "scheduled":
            redacted |= {"status": "skipped", "reason": "erased"}
        if message.get("answer"):
            redacted["answer.comment"] = None
            redacted["answer.text"] = None
        await ctx.messages.update(message["_id"], redacted)
    await ctx.ratings.forget_client(event.client_id)
    await ctx.answers.redact_client(event.client_id)
    anonymous = KnownClient(client_id=event.client_id, name="", erased=True)
    await _apply(ctx, str(event.event_id), anonymous)
    log.info("client_erased", client_id=event.client_id)
