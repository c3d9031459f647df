"""Response models of loyalty's internal API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from shared.contracts import Money


class AccountResponse(BaseModel):
    client_id: str
    balance: Money
    currency: str
    opened_at: datetime
