"""Registry commands: load, decide (model.py), save with outbox."""

from __future__ import annotations

from services.registry.model import Client, ClientNotFound, new_client
from services.registry.repository import CLIENTS, ClientRepository
from shared.contracts import ClientRegistered
from shared.logging import get_logger

log = get_logger(__name__)


async def register_client(
    repo: ClientRepository, name: str, phone: str | None, default_region: str
) -> Client:
    client = new_client(name, phone, default_region)
    event = ClientRegistered(
        client_id=client.id, name=client.name, phone=client.phone, category=client.category
    )
    entries = await repo.add(client, event)
    await repo.outbox.flush_quietly(CLIENTS, client.id, entries)
    log.info("client_registered", client_id=client.id)
    return client


async def get_client(repo: ClientRepository, client_id: str) -> Client:
    client = await repo.get(client_id)
    if client is None:
        raise ClientNotFound(client_id)
    return client
