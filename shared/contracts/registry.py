"""Events the registry publishes about clients."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from pydantic import Field

from shared.contracts.base import Event


class ClientRegistered(Event):
    TOPIC: ClassVar[str] = "client.registered"

    client_id: str = Field(min_length=1)
    name: str
    phone: str | None = None
    email: str | None = None
    category: str = "regular"
    card_number: str | None = None
    birthday: date | None = None
    store_id: str | None = None
    employee_id: str | None = None
    consents: dict[str, bool] = Field(default_factory=dict)

    def partition_key(self) -> str:
        return self.client_id
