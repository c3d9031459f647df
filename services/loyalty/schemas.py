"""Request / response models of loyalty's internal API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts import Money


class AccountResponse(BaseModel):
    client_id: str
    balance: Money
    currency: str
    opened_at: datetime
    tier: str
    lifetime_spend: Money
    category: str


class LedgerEntryResponse(BaseModel):
    id: str
    seq: int
    kind: str
    amount: Money
    balance_after: Money
    currency: str
    at: datetime
    cause: str
    purchase_id: str | None = None
    store_id: str | None = Field(None, description="where the purchase was made")
    actor: str | None = None
    reason: str | None = None


class LedgerResponse(BaseModel):
    client_id: str
    balance: Money
    entries: list[LedgerEntryResponse]


class CardPartResponse(BaseModel):
    """Loyalty's part of the client card: the account and its newest ledger entries."""

    account: AccountResponse
    ledger: LedgerResponse


class RuleBody(BaseModel):
    """A category's rules as admins edit them (percentages 0-100, rates 0-1)."""

    model_config = ConfigDict(extra="forbid")

    accrual_rate: Decimal = Field(Decimal("0.05"), ge=0, le=1, max_digits=6, decimal_places=4)
    discount_percent: Decimal = Field(Decimal("0"), ge=0, le=100, max_digits=5, decimal_places=2)
    special_prices: dict[str, Money] = Field(default_factory=dict)
    special_percent: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    prepayment_required: bool = False
    birthday_bonus: Money = Field(Decimal("0.00"), ge=0)


class RuleResponse(RuleBody):
    model_config = ConfigDict(extra="ignore")

    category: str


class QuoteLine(BaseModel):
    sku: str = Field(min_length=1)
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    unit_price: Money = Field(ge=0)


class QuoteRequest(BaseModel):
    card_number: str | None = None
    phone: str | None = None
    client_id: str | None = None
    lines: list[QuoteLine] = Field(min_length=1)


class QuotedLineResponse(BaseModel):
    sku: str
    quantity: Decimal
    list_price: Money
    unit_price: Money
    amount: Money
    rule: str


class QuoteResponse(BaseModel):
    client_id: str
    category: str
    tier: str
    lines: list[QuotedLineResponse]
    total: Money
    prepayment_required: bool
    balance: Money
    max_redeemable: Money
    currency: str


class AdjustmentRequest(BaseModel):
    amount: Money = Field(description="positive credits, negative debits (never below zero)")
    actor: str = Field(min_length=1)
    reason: str = Field(min_length=3)
    request_id: str = Field(min_length=1, description="idempotency key: the same id counts once")


class JobResult(BaseModel):
    job: str
    affected: int
