"""Events the registry publishes about clients (keyed by client id)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field

from shared.contracts.base import ClientEvent, Event

Channel = Literal["sms", "email", "phone_call", "post"]


class Consent(BaseModel):
    """Consent to marketing contact on one channel; no consent, no marketing message."""

    granted: bool
    at: datetime
    source: str = Field(description="where the consent was given, e.g. 'front_desk', 'import'")


class ClientRegistered(ClientEvent):
    TOPIC: ClassVar[str] = "client.registered"

    name: str
    phone: str | None = Field(None, description="E.164")
    email: str | None = None
    category: str = "regular"
    card_number: str | None = None
    birthday: date | None = None
    name_day: str | None = Field(None, description="MM-DD")
    language: str | None = None
    store_id: str | None = None
    employee_id: str | None = None
    manager_id: str | None = None
    tags: list[str] = Field(default_factory=list)
    consents: dict[Channel, Consent] = Field(default_factory=dict)


class ClientUpdated(ClientEvent):
    """`changed` names each field that changed with its new value."""

    TOPIC: ClassVar[str] = "client.updated"

    changed: dict[str, Any]
    reason: str | None = None
    actor: str | None = None


class ClientMerged(Event):
    """`merged_id` is gone; every service moves its data to `survivor_id`."""

    TOPIC: ClassVar[str] = "client.merged"

    survivor_id: str = Field(min_length=1)
    merged_id: str = Field(min_length=1)
    actor: str | None = None

    def partition_key(self) -> str:
        return self.merged_id


class ClientErased(ClientEvent):
    """Personal data must go; anonymised history may stay."""

    TOPIC: ClassVar[str] = "client.erased"

    actor: str | None = None
