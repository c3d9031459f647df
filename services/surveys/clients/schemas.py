"""Response models of the client routes."""

from __future__ import annotations

from pydantic import BaseModel


class KnownClientResponse(BaseModel):
    client_id: str
    name: str
    phone: str | None
    category: str = "regular"
    language: str | None = None
    sms_consent: bool = False
    erased: bool = False
    merged_into: str | None = None
