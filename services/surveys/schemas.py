"""Request and response models of surveys' internal API."""

from __future__ import annotations

from pydantic import BaseModel


class KnownClientResponse(BaseModel):
    client_id: str
    name: str
    phone: str | None
