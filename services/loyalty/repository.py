"""All MongoDB access of loyalty."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.loyalty.model import BonusAccount
from shared.contracts import from_minor_units
from shared.messaging.idempotency import LAST_APPLIED

ACCOUNTS = "accounts"


class AccountRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.accounts = db[ACCOUNTS]

    async def load_raw(self, client_id: str) -> dict[str, Any] | None:
        return await self.accounts.find_one({"_id": client_id})

    async def open(
        self, client_id: str, currency: str, opened_at: datetime, event_key: str
    ) -> bool:
        """Open an empty account; False when it already exists."""
        try:
            await self.accounts.insert_one(
                {
                    "_id": client_id,
                    "balance_cents": 0,
                    "currency": currency,
                    "opened_at": opened_at,
                    LAST_APPLIED: [event_key],
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def get(self, client_id: str) -> BonusAccount | None:
        doc = await self.load_raw(client_id)
        if doc is None:
            return None
        return BonusAccount(
            client_id=doc["_id"],
            balance=from_minor_units(doc["balance_cents"]),
            currency=doc["currency"],
            opened_at=doc["opened_at"],
        )
