"""Response model of the search route."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class SearchResponse(BaseModel):
    query: str
    match: str = Field(description="card, phone, email, card+phone or name")
    page: int
    page_size: int
    total: int
    items: list[dict[str, Any]]
