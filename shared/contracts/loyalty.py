"""Events loyalty publishes (keyed by client id)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import Field

from shared.contracts.base import ClientEvent, CurrencyCode, Event, Money

AccrualReason = Literal["purchase", "birthday", "goodwill", "adjustment", "return_reversal"]


class BonusAccrued(ClientEvent):
    TOPIC: ClassVar[str] = "bonus.accrued"

    amount: Money
    currency: CurrencyCode
    reason: AccrualReason
    balance: Money
    purchase_id: str | None = None
    ledger_entry_id: str


class BonusRedeemed(ClientEvent):
    TOPIC: ClassVar[str] = "bonus.redeemed"

    amount: Money
    requested: Money
    shortfall: Money
    currency: CurrencyCode
    balance: Money
    purchase_id: str


class TierChanged(ClientEvent):
    TOPIC: ClassVar[str] = "tier.changed"

    old_tier: str | None
    new_tier: str
    lifetime_spend: Money
    currency: CurrencyCode


class ClientAtRisk(ClientEvent):
    """A client overdue against their own purchase rhythm (surveys sends a win-back offer)."""

    TOPIC: ClassVar[str] = "client.at_risk"

    last_purchase_at: datetime
    median_gap_days: float
    overdue_days: float


AccountChange = Literal["credit", "expiry", "return", "unmatched", "fields", "complaint"]


class AccountChangeRequested(Event):
    """Internal to loyalty: an account write handed to the replica that consumes the
    account's purchases (its "home" partition of `purchase.recorded`), published to the
    same partition number of this topic, which that replica's purchase consumer reads
    too (docs/scaling.md, "One writer per account"). `details`: what the change needs
    (a credit's receipt and amount, a return's event without its client reference)."""

    TOPIC: ClassVar[str] = "account_change.requested"

    schema_version: Literal[1] = 1
    client_id: str = Field(min_length=1)
    change: AccountChange
    details: dict[str, Any] = Field(default_factory=dict)

    def partition_key(self) -> str:
        return self.client_id
