"""Request and response models of registration and the client card (every feature's
routes answer with `ClientResponse`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.registry.cards.model import Card
from services.registry.catalog.model import Tag
from services.registry.identity.model import Client, ClientDraft, Consent, HistoryEntry


class RegisterClientRequest(ClientDraft):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=200)
    notes: str | None = Field(None, max_length=5000)
    card_number: str | None = Field(None, max_length=40, description="bind this plastic card")


class Signals(BaseModel):
    """What other services told the registry about the client (kept from their events)."""

    open_complaints: int = 0
    latest_survey_score: int | None = None
    latest_survey_at: datetime | None = None
    tier: str | None = None


class DuplicateHint(BaseModel):
    id: str
    name: str
    birthday: date | None


class ClientResponse(BaseModel):
    id: str
    status: str
    merged_into: str | None
    name: str
    phone: str | None
    phones: list[str]
    email: str | None
    birthday: date | None
    name_day: str | None
    language: str | None
    store_id: str | None
    employee_id: str | None
    first_contact_at: datetime
    notes: str | None
    consents: dict[str, Consent]
    category: str
    tags: list[str]
    handling_tips: list[Tag] = Field(default_factory=list)
    manager_id: str | None
    card_number: str | None
    cards: list[Card]
    history: list[HistoryEntry]
    registered_at: datetime
    signals: Signals = Field(default_factory=Signals)
    resolved_from: str | None = Field(None, description="the merged id that was asked for")

    @classmethod
    def of(cls, client: Client, **extra: Any) -> ClientResponse:
        data = client.model_dump() | {"phone": client.phone, "card_number": client.card_number}
        return cls(**data, **extra)


class RegisteredResponse(ClientResponse):
    possible_duplicates: list[DuplicateHint] = Field(default_factory=list)
