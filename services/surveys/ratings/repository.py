"""MongoDB access for the ratings read models.

- `ratings`: `<kind>:<key>:<period>` counts, changed only with `$inc`; each write also
  sets `_last_applied`, so a redelivered event that got half-way is finished, not doubled;
- `rating_members`: `<kind>:<period>` -> the keys with a rating in that period, so a
  report reads its documents by `_id` and never scans;
- `client_scores`: the latest answers of each client, for the client card.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.surveys.ratings.model import Rating
from shared.messaging.idempotency import LAST_APPLIED, applied_in_last_write
from shared.store.upserts import upsert

RATINGS = "ratings"
MEMBERS = "rating_members"
CLIENT_SCORES = "client_scores"
LATEST_SCORES = 5


def rating_id(kind: str, key: str, period: str) -> str:
    return f"{kind}:{key}:{period}"


class RatingStore:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.ratings = db[RATINGS]
        self.members = db[MEMBERS]
        self.scores = db[CLIENT_SCORES]

    async def add(
        self, kind: str, key: str, period: str, increments: Mapping[str, int], event_key: str
    ) -> None:
        """Add to one rating once per event (one writer: the answers consumer)."""
        doc_id = rating_id(kind, key, period)
        current = await self.ratings.find_one({"_id": doc_id}, {LAST_APPLIED: 1})
        if applied_in_last_write(current, event_key):
            return
        change = {
            "$inc": dict(increments),
            "$set": {LAST_APPLIED: [event_key], "kind": kind, "key": key, "period": period},
        }
        await upsert(self.ratings, doc_id, change)
        if current is None:  # a new document: its key joins the period's list
            await upsert(self.members, f"{kind}:{period}", {"$addToSet": {"keys": key}})

    async def get(self, kind: str, key: str, period: str) -> Rating:
        subject = f"{kind}:{key}" if kind != "all" else "all"
        doc = await self.ratings.find_one({"_id": rating_id(kind, key, period)})
        fields = {k: v for k, v in (doc or {}).items() if k in Rating.model_fields}
        return Rating(**(fields | {"subject": subject, "period": period}))

    async def many(self, kind: str, keys: list[str], period: str) -> list[Rating]:
        return list(await asyncio.gather(*(self.get(kind, k, period) for k in keys)))

    async def keys(self, kind: str, period: str) -> list[str]:
        doc = await self.members.find_one({"_id": f"{kind}:{period}"})
        return sorted((doc or {}).get("keys", []))

    async def latest_scores(self, client_id: str) -> list[dict[str, Any]]:
        doc = await self.scores.find_one({"_id": client_id})
        return list((doc or {}).get("latest", []))

    async def remember_score(self, client_id: str, entry: dict[str, Any]) -> None:
        latest = await self.latest_scores(client_id)
        if any(e.get("survey_id") == entry["survey_id"] for e in latest):
            return
        kept = [entry, *latest][:LATEST_SCORES]
        await upsert(self.scores, client_id, {"$set": {"latest": kept}})

    async def forget_client(self, client_id: str) -> None:
        await self.scores.delete_one({"_id": client_id})
