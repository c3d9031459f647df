"""Signals on the client card, kept from other services' events.

One small document per client and signal (`<client>:complaints_filed`, `...:survey`),
each written by exactly one consumer, so no two writers ever share a document. The
writes are naturally idempotent: complaint ids go into sets, and the latest survey
score or tier is replaced only by a newer event.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

SIGNALS = "signals"


class SignalRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.signals = db[SIGNALS]

    async def add_to_set(self, client_id: str, kind: str, item: str) -> None:
        await self.signals.update_one(
            {"_id": f"{client_id}:{kind}"}, {"$addToSet": {"items": item}}, upsert=True
        )

    async def keep_latest(
        self, client_id: str, kind: str, at: datetime, values: dict[str, Any]
    ) -> bool:
        """Replace the signal unless a newer (or the same) event set it already."""
        key = f"{client_id}:{kind}"
        doc = await self.signals.find_one({"_id": key})
        if doc is not None and doc["at"] >= at:
            return False
        await self.signals.replace_one({"_id": key}, {"_id": key, "at": at, **values}, upsert=True)
        return True

    async def read(self, client_id: str) -> dict[str, Any]:
        kinds = ("complaints_filed", "complaints_resolved", "survey", "tier")
        docs = await asyncio.gather(
            *(self.signals.find_one({"_id": f"{client_id}:{k}"}) for k in kinds)
        )
        filed, resolved, survey, tier = (d or {} for d in docs)
        return {
            "open_complaints": len(set(filed.get("items", ())) - set(resolved.get("items", ()))),
            "latest_survey_score": survey.get("score"),
            "latest_survey_at": survey.get("at"),
            "tier": tier.get("tier"),
        }
