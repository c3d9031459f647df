"""Club cards of a registered client: issue one, bind a plastic one, block, replace."""

from __future__ import annotations

from services.registry.bootstrap import Context
from services.registry.cards.model import (
    Card,
    block,
    new_card_number,
    normalise_card_number,
    replace,
)
from services.registry.changes.model import changed_values
from services.registry.identity.handlers import load_active
from services.registry.identity.model import Client, DuplicateClient
from shared.contracts.registry import ClientUpdated
from shared.logging import get_logger

log = get_logger(__name__)


async def _issue_number(ctx: Context, client_id: str, bound: str | None) -> str:
    """Claim `card:<number>` for the client: the plastic card given, or a new number."""
    for _ in range(4):
        number = normalise_card_number(bound) if bound else new_card_number(ctx.card_prefix)
        try:
            await ctx.clients.claim("card", number, client_id)
            return number
        except DuplicateClient:
            if bound:
                raise
    number = new_card_number(ctx.card_prefix)
    await ctx.clients.claim("card", number, client_id)
    return number


async def _save_cards(ctx: Context, before: Client, cards: list[Card], reason: str) -> Client:
    after = before.model_copy(update={"cards": cards})
    event = ClientUpdated(
        client_id=after.id,
        changed={"card_number": after.card_number, **changed_values(after, ["cards"])},
        reason=reason,
    )
    doc = after.to_doc()
    entries = await ctx.clients.change(after.id, {"$set": {"cards": doc["cards"]}}, [event])
    await ctx.clients.refresh_lookups(after)  # the new card's key too, and the card shown
    await ctx.clients.publish(after.id, entries)
    log.info("client_cards_changed", client_id=after.id, reason=reason)
    return after


async def add_card(ctx: Context, client_id: str, plastic_number: str | None) -> Client:
    """Issue a new card, or bind a plastic card after checking its number."""
    client = await load_active(ctx, client_id)
    number = await _issue_number(ctx, client.id, plastic_number)
    card = Card(
        number=number, source="bound" if plastic_number else "issued", issued_at=ctx.clock()
    )
    reason = "plastic card bound" if plastic_number else "card issued"
    return await _save_cards(ctx, client, [*client.cards, card], reason)


async def block_card(ctx: Context, client_id: str, number: str, reason: str) -> Client:
    client = await load_active(ctx, client_id)
    return await _save_cards(ctx, client, block(client.cards, number, reason, ctx.clock()), reason)


async def replace_card(
    ctx: Context, client_id: str, number: str, reason: str, plastic_number: str | None
) -> Client:
    """Block a lost card and give its successor; both stay on the card's history."""
    client = await load_active(ctx, client_id)
    block(client.cards, number, reason, ctx.clock())  # refuse before claiming a new number
    new_number = await _issue_number(ctx, client.id, plastic_number)
    cards = replace(client.cards, number, new_number, reason, ctx.clock())
    return await _save_cards(ctx, client, cards, reason)
