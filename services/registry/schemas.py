"""Request and response models of the registry's internal API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class RegisterClientRequest(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(None, max_length=40)


class ClientResponse(BaseModel):
    id: str
    name: str
    phone: str | None
    category: str
    registered_at: datetime
