"""All MongoDB access of complaints."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.complaints.model import KnownClient

CLIENTS = "clients"


class ClientProjection:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.clients = db[CLIENTS]

    async def upsert(self, client: KnownClient) -> None:
        await self.clients.update_one(
            {"_id": client.client_id},
            {"$set": client.model_dump(exclude={"client_id"})},
            upsert=True,
        )

    async def get(self, client_id: str) -> KnownClient | None:
        doc = await self.clients.find_one({"_id": client_id})
        return KnownClient(client_id=doc.pop("_id"), **doc) if doc else None
