"""What every event carries, and how money travels between services."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, ClassVar
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator

# Money is a decimal string on the wire ("12.50"), never a float.
Money = Annotated[
    Decimal,
    Field(max_digits=18, decimal_places=2, allow_inf_nan=False),
    PlainSerializer(lambda v: f"{v:.2f}", return_type=str, when_used="json"),
]
Quantity = Annotated[
    Decimal,
    Field(max_digits=12, decimal_places=3, gt=0, allow_inf_nan=False),
    PlainSerializer(lambda v: str(v), return_type=str, when_used="json"),
]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    """Base of every event: one flat JSON object with an idempotency key."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    TOPIC: ClassVar[str] = ""
    # Versions this code understands; a newer one goes to the DLQ until consumers learn it.
    SUPPORTED_VERSIONS: ClassVar[frozenset[int]] = frozenset({1})

    event_id: UUID = Field(default_factory=uuid4)
    schema_version: int = 1
    occurred_at: datetime = Field(default_factory=utc_now)

    @field_validator("schema_version")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value not in cls.SUPPORTED_VERSIONS:
            known = ", ".join(str(v) for v in sorted(cls.SUPPORTED_VERSIONS))
            raise ValueError(f"schema_version {value} is not supported (known: {known})")
        return value

    @field_validator("occurred_at")
    @classmethod
    def _must_be_aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("occurred_at must carry a UTC offset (RFC 3339)")
        return value.astimezone(UTC)

    def partition_key(self) -> str:
        """The Kafka key: the client's identity, so one client's events stay in order."""
        raise NotImplementedError


def to_minor_units(amount: Decimal) -> int:
    """Decimal money -> integer cents for the store (FerretDB has no Decimal128)."""
    cents = amount.scaleb(2)
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} has more than two decimal places")
    return int(cents)


def from_minor_units(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


class ClientEvent(Event):
    """An event about one client, keyed by the client's id (declared first of its fields)."""

    client_id: str = Field(min_length=1)

    def partition_key(self) -> str:
        return self.client_id
