"""Response models of the client routes."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel


class KnownClientResponse(BaseModel):
    client_id: str
    name: str | None
    phone: str | None
    category: str
    manager_id: str | None
    tags: list[str]
    tier: str | None
    lifetime_spend: Decimal
