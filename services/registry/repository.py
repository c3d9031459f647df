"""All MongoDB access of the registry: clients and lookup documents."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.registry.model import Client, DuplicateClient
from shared.contracts import ClientRegistered
from shared.store.outbox import OUTBOX_FIELD, Outbox

CLIENTS = "clients"
LOOKUPS = "lookups"


class ClientRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], outbox: Outbox) -> None:
        self.clients = db[CLIENTS]
        self.lookups = db[LOOKUPS]
        self.outbox = outbox

    async def claim(self, field: str, value: str, client_id: str) -> None:
        """Insert the lookup `field:value` -> client; the insert is the uniqueness check."""
        key = f"{field}:{value}"
        try:
            await self.lookups.insert_one({"_id": key, "client_id": client_id})
        except DuplicateKeyError:
            owner = await self.lookups.find_one({"_id": key})
            owner_id = (owner or {}).get("client_id")
            if owner_id and await self.clients.find_one({"_id": owner_id}, {"_id": 1}):
                raise DuplicateClient(field, value, owner_id) from None
            # An orphan left by a crash before the client was written: take it over.
            await self.lookups.replace_one({"_id": key}, {"_id": key, "client_id": client_id})

    async def add(self, client: Client, event: ClientRegistered) -> list[dict[str, Any]]:
        if client.phone:
            await self.claim("phone", client.phone, client.id)
        doc = client.model_dump(exclude={"id"}) | {"_id": client.id}
        return await self.outbox.insert(CLIENTS, doc, [event])

    async def get(self, client_id: str) -> Client | None:
        doc = await self.clients.find_one({"_id": client_id}, {OUTBOX_FIELD: 0})
        if doc is None:
            return None
        return Client.model_validate(doc | {"id": doc["_id"]})
