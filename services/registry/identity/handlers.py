"""Registering a client and reading one: load, decide (model.py), save with outbox, publish."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from services.registry.bootstrap import Context
from services.registry.cards.model import Card, new_card_number, normalise_card_number
from services.registry.identity.model import (
    Client,
    ClientDraft,
    ClientGone,
    ClientNotFound,
    DuplicateClient,
    new_client,
    search_summary,
)
from services.registry.identity.repository import identity_keys
from services.registry.search.model import buckets_of, similar_names
from services.registry.search.repository import NameEntry
from shared.contracts.registry import ClientRegistered
from shared.contracts.registry import Consent as ConsentContract
from shared.logging import get_logger
from shared.store.outbox import outbox_entry, publish_entry

log = get_logger(__name__)
CARD_ATTEMPTS = 5


@dataclass
class Registration:
    client: Client
    possible_duplicates: list[Client]


def registered_event(client: Client) -> ClientRegistered:
    return ClientRegistered(
        client_id=client.id,
        name=client.name,
        phone=client.phone,
        email=client.email,
        category=client.category,
        card_number=client.card_number,
        birthday=client.birthday,
        name_day=client.name_day,
        language=client.language,
        store_id=client.store_id,
        employee_id=client.employee_id,
        manager_id=client.manager_id,
        tags=client.tags,
        consents={ch: ConsentContract(**c.model_dump()) for ch, c in client.consents.items()},
    )


def name_entry(client: Client) -> NameEntry:
    birthday = client.birthday.isoformat() if client.birthday else None
    return NameEntry(client.id, client.name_norm, birthday)


async def possible_duplicates(ctx: Context, client: Client) -> list[Client]:
    """Clients with the same birthday and a similar name (read from the name buckets)."""
    if client.birthday is None:
        return []
    me = name_entry(client)
    found: dict[str, NameEntry] = {}
    for bucket in buckets_of(client.name_norm):
        for entry in await ctx.names.names_in(bucket):
            same_day = entry.client_id != me.client_id and entry.birthday == me.birthday
            if same_day and similar_names(entry.name_norm, me.name_norm):
                found[entry.client_id] = entry
    candidates = await asyncio.gather(*(ctx.clients.get(cid) for cid in sorted(found)))
    return [c for c in candidates if c is not None and c.status == "active"]


async def check_codes(ctx: Context, category: str, tags: list[str]) -> None:
    await ctx.catalog.category(category)
    await ctx.catalog.tags_of(tags)


async def _claim(ctx: Context, client: Client, bound: str | None) -> None:
    """Claim the client's keys in one insert; a drawn card number that is taken is redrawn."""
    for attempt in range(CARD_ATTEMPTS):
        number = bound or new_card_number(ctx.card_prefix)
        client.cards = [Card(number=number, source="bound" if bound else "issued")]
        try:
            await ctx.clients.claim_all(client.id, identity_keys(client), search_summary(client))
            return
        except DuplicateClient as exc:
            if bound or exc.field != "card" or attempt == CARD_ATTEMPTS - 1:
                raise


async def announce(ctx: Context, marker: str, event: dict[str, Any]) -> bool:
    """Publish a registration's event; on failure the names job publishes it later."""
    try:
        await publish_entry(ctx.publisher, event)
    except Exception as exc:  # the marker stays: compact_names retries
        log.warning("registration_publish_deferred", marker=marker, error=repr(exc))
        return False
    ctx.names.announced.add(marker)
    return True


async def announce_left_over(ctx: Context, markers: list[dict[str, Any]]) -> list[str]:
    """Markers whose writer did not publish their event (it failed or died): published
    when the client was written (the registration got that far); returns the ids of
    those whose client does not exist (yet: a slow registration may still write it)."""
    found = await asyncio.gather(*(ctx.clients.get(str(m["client_id"])) for m in markers))
    missing = []
    for marker, client in zip(markers, found, strict=True):
        if client is None:
            missing.append(str(marker["_id"]))
        elif not await announce(ctx, str(marker["_id"]), marker["event"]):
            raise RuntimeError("the registration events are still not published")
    return missing


async def register_client(ctx: Context, draft: ClientDraft) -> Registration:
    """Three writes: the keys (one insert, the uniqueness check), the name entry carrying
    the event (the outbox marker, written before the client), the client; then the
    event is published before answering, so a later change of the client is announced
    after it. A crash before the client is written leaves a marker whose client does
    not exist: the names job drops it unpublished (search/handlers.py)."""
    client = new_client(draft, ctx.default_region)
    await check_codes(ctx, client.category, client.tags)
    bound = normalise_card_number(draft.card_number) if draft.card_number else None
    duplicates = await possible_duplicates(ctx, client)
    await _claim(ctx, client, bound)
    event = outbox_entry(registered_event(client))
    marker = await ctx.names.file(name_entry(client), ctx.clock(), event)
    if client.manager_id:
        await ctx.index.assign(client.id, None, client.manager_id)
    await ctx.clients.insert(client)
    await announce(ctx, marker, event)
    log.info("client_registered", client_id=client.id, possible_duplicates=len(duplicates))
    return Registration(client, duplicates)


async def get_client(ctx: Context, client_id: str) -> Client:
    client = await ctx.clients.get(client_id)
    if client is None:
        raise ClientNotFound(client_id)
    return client


async def load_active(ctx: Context, client_id: str) -> Client:
    """A client that can still change (not merged away, not erased)."""
    client = await get_client(ctx, client_id)
    if client.status != "active":
        raise ClientGone(client_id, client.status, client.merged_into)
    return client


@dataclass
class ClientView:
    """The card as shown: the client (a merged one resolved to its survivor) and extras."""

    client: Client
    extra: dict[str, Any]


async def client_view(ctx: Context, client_id: str, with_signals: bool = True) -> ClientView:
    client = await get_client(ctx, client_id)
    extra: dict[str, Any] = {}
    if client.status == "merged" and client.merged_into:
        survivor_id = await ctx.clients.resolve(client.id)
        client = await get_client(ctx, survivor_id)
        extra["resolved_from"] = client_id
    extra["handling_tips"] = await ctx.catalog.tags_of(client.tags)
    if with_signals:  # four point reads; the gateway's card has the owners' data instead
        extra["signals"] = await ctx.signals.read(client.id)
    return ClientView(client, extra)
