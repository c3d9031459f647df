"""Trend read models: weekly topic counts per segment and the trend alerts announced."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.contracts.base import Event
from shared.messaging.idempotency import LAST_APPLIED, applied_in_last_write
from shared.store.outbox import Outbox

TRENDS = "trend_counts"
TREND_ALERTS = "trend_alerts"


def trend_key(topic: str, segment: str, week: str) -> str:
    return f"{topic}|{segment}|{week}"


class TrendRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], outbox: Outbox) -> None:
        self.counts = db[TRENDS]
        self.alerts = db[TREND_ALERTS]
        self.outbox = outbox

    async def count(self, topic: str, segment: str, week: str, event_key: str) -> bool:
        """Add one case to a weekly count; False when this event was counted already."""
        key = trend_key(topic, segment, week)
        if applied_in_last_write(await self.counts.find_one({"_id": key}), event_key):
            return False
        await self.counts.update_one(
            {"_id": key},
            {
                "$inc": {"count": 1},
                "$set": {
                    "topic": topic,
                    "segment": segment,
                    "week": week,
                    LAST_APPLIED: [event_key],
                },
            },
            upsert=True,
        )
        return True

    async def week(self, week: str) -> list[dict[str, Any]]:
        """The counts of one week (a scan of the weekly read model, off the hot path)."""
        return [d async for d in self.counts.find({"week": week}, {LAST_APPLIED: 0})]

    async def counts_of(self, topic: str, segment: str, weeks: Sequence[str]) -> list[int]:
        docs = await asyncio.gather(
            *(self.counts.find_one({"_id": trend_key(topic, segment, w)}) for w in weeks)
        )
        return [int(d["count"]) if d else 0 for d in docs]

    async def alert(
        self, key: str, doc: dict[str, Any], event: Event
    ) -> list[dict[str, Any]] | None:
        """Record a trend once (the insert is the check); None when it was known."""
        try:
            return await self.outbox.insert(TREND_ALERTS, {"_id": key, **doc}, [event])
        except DuplicateKeyError:
            return None
