"""Bonus accounts as plain values; money in Decimal here, cents in the store."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel


class BonusAccount(BaseModel):
    client_id: str
    balance: Decimal
    currency: str
    opened_at: datetime


class AccountNotFound(LookupError):
    pass
