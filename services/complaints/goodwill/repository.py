"""Goodwill budgets: one document per client and period holding every grant."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from shared.contracts.base import Event
from shared.store.outbox import OUTBOX_FIELD, Outbox

GOODWILL = "goodwill"


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
