"""Changing a registered client: the card's fields, category, manager, tags; and
identity over time: two cards of one person merged, a person forgotten."""

from __future__ import annotations

from typing import Any

from services.registry.bootstrap import Context
from services.registry.changes.model import ClientChanges, apply_changes, changed_values
from services.registry.identity.handlers import (
    check_codes,
    get_client,
    load_active,
    name_entry,
)
from services.registry.identity.model import (
    Client,
    ClientGone,
    HistoryEntry,
    InvalidClientData,
    search_summary,
)
from services.registry.identity.repository import identity_keys
from shared.contracts.registry import ClientErased, ClientMerged, ClientUpdated
from shared.logging import get_logger

log = get_logger(__name__)


async def _save(
    ctx: Context, before: Client, after: Client, fields: list[str], changes: ClientChanges
) -> None:
    """Claim new keys, write the fields + history with `client.updated`, free old keys."""
    old_keys, new_keys = set(identity_keys(before)), identity_keys(after)
    kept = [k for k in new_keys if k in old_keys]
    await ctx.clients.claim_all(
        after.id, [k for k in new_keys if k not in old_keys], search_summary(after)
    )
    # Only a new entry is filed (`Zoë` -> `Zoe` keeps it): purging an entry filed again
    # would unfile the client.
    renamed = name_entry(before) != name_entry(after)
    if renamed:
        await ctx.names.file(name_entry(after), ctx.clock())
    doc = after.to_doc()
    event = ClientUpdated(
        client_id=after.id,
        changed=changed_values(after, fields),
        reason=changes.reason,
        actor=changes.actor,
    )
    entries = await ctx.clients.change(
        after.id, {"$set": {f: doc[f] for f in [*fields, "history", "consent_history"]}}, [event]
    )
    if search_summary(before) != search_summary(after):
        await ctx.clients.refresh_lookups(after, kept)
    for field, value in old_keys - set(new_keys):
        await ctx.clients.release(field, value, after.id)
    if renamed:
        await ctx.names.unfile(name_entry(before), ctx.clock())
    if "manager_id" in fields:
        await ctx.index.assign(after.id, before.manager_id, after.manager_id)
    await ctx.clients.publish(after.id, entries)
    log.info("client_updated", client_id=after.id, fields=fields)


async def update_client(ctx: Context, client_id: str, changes: ClientChanges) -> Client:
    before = await load_active(ctx, client_id)
    after, fields = apply_changes(before, changes, ctx.default_region, ctx.clock())
    if "category" in fields or "tags" in fields:
        await check_codes(ctx, after.category, after.tags)
    if fields:
        await _save(ctx, before, after, fields, changes)
    return after


async def merge_clients(
    ctx: Context, merged_id: str, survivor_id: str, actor: str | None
) -> Client:
    """`merged_id` becomes a pointer to `survivor_id`; one `client.merged` tells the rest.

    The merged client's phones, emails and cards keep pointing at it, and every read
    follows the pointer, so they all find the survivor.
    """
    if merged_id == survivor_id:
        raise InvalidClientData("a client cannot be merged into itself")
    merged = await load_active(ctx, merged_id)
    survivor = await load_active(ctx, survivor_id)
    entry = HistoryEntry(
        field="merged_into", old=None, new=survivor.id, actor=actor, at=ctx.clock()
    )
    event = ClientMerged(survivor_id=survivor.id, merged_id=merged.id, actor=actor)
    entries = await ctx.clients.change(
        merged.id,
        {
            "$set": {"status": "merged", "merged_into": survivor.id},
            "$push": {"history": entry.model_dump()},
        },
        [event],
    )
    gone = merged.model_copy(update={"status": "merged", "merged_into": survivor.id})
    await ctx.clients.refresh_lookups(gone)  # its keys now show the pointer
    if merged.manager_id:
        await ctx.index.assign(merged.id, merged.manager_id, None)
    await ctx.clients.publish(merged.id, entries)
    log.info("client_merged", client_id=merged.id, survivor_id=survivor.id)
    return survivor


ERASED_FIELDS: dict[str, Any] = {
    "name": "",
    "name_norm": "",
    "phones": [],
    "email": None,
    "birthday": None,
    "name_day": None,
    "language": None,
    "notes": None,
    "consents": {},
    "tags": [],
    "cards": [],
    "manager_id": None,
}


async def erase_client(ctx: Context, client_id: str, actor: str | None) -> Client:
    """Forget the person: personal data and lookups go, anonymised history stays."""
    client = await get_client(ctx, client_id)
    if client.status == "erased":
        raise ClientGone(client.id, client.status, None)
    entry = HistoryEntry(field="erased", old=None, new=None, actor=actor, at=ctx.clock())
    # What changed stays, the reasons go: staff write them freely and they may name the
    # person ("Ada asked to be VIP").
    history = [h.model_copy(update={"reason": None}) for h in client.history] + [entry]
    event = ClientErased(client_id=client.id, actor=actor)
    erased = {**ERASED_FIELDS, "status": "erased", "history": [h.model_dump() for h in history]}
    entries = await ctx.clients.change(client.id, {"$set": erased}, [event])
    for field, value in identity_keys(client):
        await ctx.clients.release(field, value, client.id)
    await ctx.names.unfile(name_entry(client), ctx.clock())
    if client.manager_id:
        await ctx.index.assign(client.id, client.manager_id, None)
    await ctx.clients.publish(client.id, entries)
    log.info("client_erased", client_id=client.id)
    return await get_client(ctx, client.id)
