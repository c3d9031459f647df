"""Problem-client signals (returns, unfounded claims) and proposals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

SIGNALS = "signals"
PROPOSALS = "problem_proposals"


class ProblemRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.signals = db[SIGNALS]
        self.proposals = db[PROPOSALS]

    async def add_signal(self, kind: str, client_id: str, item: str) -> None:
        """`kind` is 'returns' or 'unfounded_claims'; a set, so a replay adds nothing."""
        await self.signals.update_one(
            {"_id": f"{kind}|{client_id}"}, {"$addToSet": {"items": item}}, upsert=True
        )

    async def signal(self, kind: str, client_id: str) -> list[str]:
        doc = await self.signals.find_one({"_id": f"{kind}|{client_id}"})
        return list((doc or {}).get("items", ()))

    async def drop_signals(self, client_id: str) -> None:
        for kind in ("returns", "unfounded_claims"):
            await self.signals.delete_one({"_id": f"{kind}|{client_id}"})

    async def proposal(self, client_id: str) -> dict[str, Any] | None:
        return await self.proposals.find_one({"_id": client_id})

    async def save_proposal(self, client_id: str, fields: dict[str, Any]) -> None:
        await self.proposals.update_one({"_id": client_id}, {"$set": fields}, upsert=True)

    async def drop_proposal(self, client_id: str) -> None:
        await self.proposals.delete_one({"_id": client_id})

    async def open_proposals(self) -> list[dict[str, Any]]:
        return [d async for d in self.proposals.find({"status": "proposed"}).sort("updated_at", -1)]

    async def mark(self, client_id: str, status: str, actor: str | None, at: datetime) -> None:
        await self.proposals.update_one(
            {"_id": client_id}, {"$set": {"status": status, "decided_by": actor, "decided_at": at}}
        )
