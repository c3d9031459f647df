"""What surveys knows of a client (a projection of the registry's client events)."""

from __future__ import annotations

from pydantic import BaseModel


class KnownClient(BaseModel):
    """A projection of the registry's client events: what outreach needs to know."""

    client_id: str
    name: str
    phone: str | None = None
    category: str = "regular"
    card_number: str | None = None
    language: str | None = None
    name_day: str | None = None
    sms_consent: bool = False
    erased: bool = False
    merged_into: str | None = None
