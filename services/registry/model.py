"""The client as the registry knows it, and the pure rules of registering one."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import phonenumbers
from pydantic import BaseModel, Field


class InvalidPhone(ValueError):
    """The phone number cannot be read as a real number of the region."""


class DuplicateClient(Exception):
    """A phone, email or card already belongs to another client."""

    def __init__(self, field: str, value: str, existing_client_id: str) -> None:
        super().__init__(f"{field} {value} already belongs to client {existing_client_id}")
        self.field = field
        self.value = value
        self.existing_client_id = existing_client_id


class ClientNotFound(LookupError):
    pass


def normalise_phone(raw: str, default_region: str) -> str:
    """Any written form of a phone number -> E.164 (`030 1234567` -> `+49301234567`)."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(f"{raw!r} is not a phone number: {exc}") from exc
    if not phonenumbers.is_possible_number(number):
        raise InvalidPhone(f"{raw!r} is not a possible phone number for region {default_region}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class Client(BaseModel):
    id: str = Field(default_factory=lambda: uuid4().hex)
    name: str
    phone: str | None = None
    category: str = "regular"
    registered_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


def new_client(name: str, phone: str | None, default_region: str) -> Client:
    return Client(
        name=" ".join(name.split()),
        phone=normalise_phone(phone, default_region) if phone else None,
    )
