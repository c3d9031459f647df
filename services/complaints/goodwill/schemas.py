"""Request models of the goodwill route."""

from __future__ import annotations

from pydantic import BaseModel, Field

from shared.contracts.base import Money


class GoodwillRequest(BaseModel):
    amount: Money | None = Field(None, gt=0, description="default: the configured amount")
    comment: str | None = Field(None, max_length=1000)
