"""Changing a registered client: the card's fields, category, manager, tags, club cards."""

from __future__ import annotations

from services.registry.handlers import Registry, check_codes, load_active, name_entry
from services.registry.model import Client, DuplicateClient, now
from services.registry.model_cards import (
    Card,
    block,
    new_card_number,
    normalise_card_number,
    replace,
)
from services.registry.model_changes import ClientChanges, apply_changes, changed_values
from services.registry.model_search import search_summary
from services.registry.repository import identity_keys
from shared.contracts.registry import ClientUpdated
from shared.logging import get_logger

log = get_logger(__name__)


async def _save(
    reg: Registry, before: Client, after: Client, fields: list[str], changes: ClientChanges
) -> None:
    """Claim new keys, write the fields + history with `client.updated`, free old keys."""
    old_keys, new_keys = set(identity_keys(before)), identity_keys(after)
    kept = [k for k in new_keys if k in old_keys]
    await reg.clients.claim_all(
        after.id, [k for k in new_keys if k not in old_keys], search_summary(after)
    )
    if {"name", "birthday"} & set(fields):
        await reg.index.file_name(name_entry(after))
    doc = after.to_doc()
    event = ClientUpdated(
        client_id=after.id,
        changed=changed_values(after, fields),
        reason=changes.reason,
        actor=changes.actor,
    )
    entries = await reg.clients.change(
        after.id, {"$set": {f: doc[f] for f in [*fields, "history", "consent_history"]}}, [event]
    )
    if search_summary(before) != search_summary(after):
        await reg.clients.refresh_lookups(after, kept)
    for field, value in old_keys - set(new_keys):
        await reg.clients.release(field, value, after.id)
    if {"name", "birthday"} & set(fields):
        await reg.index.unfile_name(name_entry(before))
    if "manager_id" in fields:
        await reg.index.assign(after.id, before.manager_id, after.manager_id)
    await reg.clients.publish(after.id, entries)
    log.info("client_updated", client_id=after.id, fields=fields)


async def update_client(reg: Registry, client_id: str, changes: ClientChanges) -> Client:
    before = await load_active(reg, client_id)
    after, fields = apply_changes(before, changes, reg.default_region, now())
    if "category" in fields or "tags" in fields:
        await check_codes(reg, after.category, after.tags)
    if fields:
        await _save(reg, before, after, fields, changes)
    return after


async def _issue_number(reg: Registry, client_id: str, bound: str | None) -> str:
    """Claim `card:<number>` for the client: the plastic card given, or a new number."""
    for _ in range(4):
        number = normalise_card_number(bound) if bound else new_card_number(reg.card_prefix)
        try:
            await reg.clients.claim("card", number, client_id)
            return number
        except DuplicateClient:
            if bound:
                raise
    number = new_card_number(reg.card_prefix)
    await reg.clients.claim("card", number, client_id)
    return number


async def _save_cards(reg: Registry, before: Client, cards: list[Card], reason: str) -> Client:
    after = before.model_copy(update={"cards": cards})
    event = ClientUpdated(
        client_id=after.id,
        changed={"card_number": after.card_number, **changed_values(after, ["cards"])},
        reason=reason,
    )
    doc = after.to_doc()
    entries = await reg.clients.change(after.id, {"$set": {"cards": doc["cards"]}}, [event])
    await reg.clients.refresh_lookups(after)  # the new card's key too, and the card shown
    await reg.clients.publish(after.id, entries)
    log.info("client_cards_changed", client_id=after.id, reason=reason)
    return after


async def add_card(reg: Registry, client_id: str, plastic_number: str | None) -> Client:
    """Issue a new card, or bind a plastic card after checking its number."""
    client = await load_active(reg, client_id)
    number = await _issue_number(reg, client.id, plastic_number)
    card = Card(number=number, source="bound" if plastic_number else "issued", issued_at=now())
    reason = "plastic card bound" if plastic_number else "card issued"
    return await _save_cards(reg, client, [*client.cards, card], reason)


async def block_card(reg: Registry, client_id: str, number: str, reason: str) -> Client:
    client = await load_active(reg, client_id)
    return await _save_cards(reg, client, block(client.cards, number, reason, now()), reason)


async def replace_card(
    reg: Registry, client_id: str, number: str, reason: str, plastic_number: str | None
) -> Client:
    """Block a lost card and give its successor; both stay on the card's history."""
    client = await load_active(reg, client_id)
    block(client.cards, number, reason, now())  # refuse before claiming a new number
    new_number = await _issue_number(reg, client.id, plastic_number)
    cards = replace(client.cards, number, new_number, reason, now())
    return await _save_cards(reg, client, cards, reason)
