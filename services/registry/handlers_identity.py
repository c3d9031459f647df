"""Identity over time: two cards of one person merged, a person forgotten."""

from __future__ import annotations

from typing import Any

from services.registry.handlers import Registry, get_client, load_active, name_entry
from services.registry.model import Client, ClientGone, HistoryEntry, InvalidClientData, now
from services.registry.repository import identity_keys
from shared.contracts.registry import ClientErased, ClientMerged
from shared.logging import get_logger

log = get_logger(__name__)


async def merge_clients(
    reg: Registry, merged_id: str, survivor_id: str, actor: str | None
) -> Client:
    """`merged_id` becomes a pointer to `survivor_id`; one `client.merged` tells the rest.

    The merged client's phones, emails and cards keep pointing at it, and every read
    follows the pointer, so they all find the survivor.
    """
    if merged_id == survivor_id:
        raise InvalidClientData("a client cannot be merged into itself")
    merged = await load_active(reg, merged_id)
    survivor = await load_active(reg, survivor_id)
    entry = HistoryEntry(field="merged_into", old=None, new=survivor.id, actor=actor, at=now())
    event = ClientMerged(survivor_id=survivor.id, merged_id=merged.id, actor=actor)
    entries = await reg.clients.change(
        merged.id,
        {
            "$set": {"status": "merged", "merged_into": survivor.id},
            "$push": {"history": entry.model_dump()},
        },
        [event],
    )
    gone = merged.model_copy(update={"status": "merged", "merged_into": survivor.id})
    await reg.clients.refresh_lookups(gone)  # its keys now show the pointer
    if merged.manager_id:
        await reg.index.assign(merged.id, merged.manager_id, None)
    await reg.clients.publish(merged.id, entries)
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


async def erase_client(reg: Registry, client_id: str, actor: str | None) -> Client:
    """Forget the person: personal data and lookups go, anonymised history stays."""
    client = await get_client(reg, client_id)
    if client.status == "erased":
        raise ClientGone(client.id, client.status, None)
    entry = HistoryEntry(field="erased", old=None, new=None, actor=actor, at=now())
    # What changed stays, the reasons go: staff write them freely and they may name the
    # person ("Ada asked to be VIP").
    history = [h.model_copy(update={"reason": None}) for h in client.history] + [entry]
    event = ClientErased(client_id=client.id, actor=actor)
    erased = {**ERASED_FIELDS, "status": "erased", "history": [h.model_dump() for h in history]}
    entries = await reg.clients.change(client.id, {"$set": erased}, [event])
    for field, value in identity_keys(client):
        await reg.clients.release(field, value, client.id)
    await reg.index.unfile_name(name_entry(client))
    if client.manager_id:
        await reg.index.assign(client.id, client.manager_id, None)
    await reg.clients.publish(client.id, entries)
    log.info("client_erased", client_id=client.id)
    return await get_client(reg, client.id)
