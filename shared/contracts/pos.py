"""The POS contract: `purchase.recorded` and `purchase.returned`, v1.

Written by people outside the project (upstream POS systems publish it straight to
Kafka), so every field is documented and the JSON Schema is published.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.contracts.base import CurrencyCode, Event, Money, Quantity


class ClientRef(BaseModel):
    """Names the client by any of three keys; all None or the whole object null = anonymous."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    card_number: str | None = None
    phone: str | None = None
    client_id: str | None = None

    def identity(self) -> str | None:
        return self.client_id or self.card_number or self.phone


class PurchaseLine(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    sku: str = Field(min_length=1)
    name: str = ""
    quantity: Quantity
    unit_price: Money = Field(ge=0)
    unit_cost: Money | None = Field(None, ge=0)
    discount: Money = Field(Decimal("0.00"), ge=0, description="for the whole line")
    product_group: str | None = Field(
        None, description="optional product group (weights in employee sales reports)"
    )

    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price - self.discount).quantize(Decimal("0.01"))


class PurchaseRecorded(Event):
    TOPIC: ClassVar[str] = "purchase.recorded"

    schema_version: Literal[1] = 1
    purchase_id: str = Field(min_length=1, description="unique per POS; the same id counts once")
    store_id: str = Field(min_length=1)
    employee_id: str | None = None
    client: ClientRef | None = None
    currency: CurrencyCode
    lines: list[PurchaseLine] = Field(min_length=1)
    total: Money = Field(ge=0)
    bonus_redeemed: Money = Field(Decimal("0.00"), ge=0)
    payment: str = "card"

    @model_validator(mode="after")
    def _total_matches_lines(self) -> PurchaseRecorded:
        if sum((line.amount() for line in self.lines), Decimal("0")) != self.total:
            raise ValueError("total must equal the sum of the lines (quantity x price - discount)")
        return self

    def partition_key(self) -> str:
        return (self.client.identity() if self.client else None) or f"store:{self.store_id}"


class ReturnedLine(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    sku: str = Field(min_length=1)
    quantity: Quantity


class PurchaseReturned(Event):
    TOPIC: ClassVar[str] = "purchase.returned"

    schema_version: Literal[1] = 1
    return_id: str = Field(min_length=1)
    purchase_id: str = Field(min_length=1)
    store_id: str | None = None
    client: ClientRef | None = None
    lines: list[ReturnedLine] = Field(min_length=1)

    def partition_key(self) -> str:
        return (self.client.identity() if self.client else None) or f"purchase:{self.purchase_id}"
