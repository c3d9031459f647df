"""Request / response models of loyalty's internal API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from shared.contracts import Money


class AccountResponse(BaseModel):
    client_id: str
    balance: Money
    currency: str
    opened_at: datetime
    tier: str
    lifetime_spend: Money
    category: str


class LedgerEntryResponse(BaseModel):
    id: str
    seq: int
    kind: str
    amount: Money
    balance_after: Money
    currency: str
    at: datetime
    cause: str
    purchase_id: str | None = None
    actor: str | None = None
    reason: str | None = None


class LedgerResponse(BaseModel):
    client_id: str
    balance: Money
    entries: list[LedgerEntryResponse]
