"""Read models of complaints: weekly topic counts, trend alerts, goodwill budgets,
problem-client signals and proposals."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.contracts.base import Event
from shared.messaging.idempotency import LAST_APPLIED, applied_in_last_write
from shared.store.outbox import OUTBOX_FIELD, Outbox

TRENDS = "trend_counts"
TREND_ALERTS = "trend_alerts"
GOODWILL = "goodwill"
SIGNALS = "signals"
PROPOSALS = "problem_proposals"


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


class GoodwillRepository:
    """One document per client and period holding every grant: the cap is one read, and
    a grant with its event is one write."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]], outbox: Outbox) -> None:
        self.budgets = db[GOODWILL]
        self.outbox = outbox

    async def budget(self, client_id: str, period: str) -> dict[str, Any]:
        doc = await self.budgets.find_one({"_id": f"{client_id}|{period}"}, {OUTBOX_FIELD: 0})
        return doc or {"grants": {}}

    async def record(
        self, client_id: str, period: str, gid: str, grant: dict[str, Any], events: Sequence[Event]
    ) -> list[dict[str, Any]]:
        return await self.outbox.update(
            GOODWILL,
            f"{client_id}|{period}",
            {"$set": {"client_id": client_id, "period": period, f"grants.{gid}": grant}},
            events,
            upsert=True,
        )


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
