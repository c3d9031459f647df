"""Events loyalty publishes (keyed by client id)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from shared.contracts.base import CurrencyCode, Event, Money

AccrualReason = Literal["purchase", "birthday", "goodwill", "adjustment", "return_reversal"]


class BonusAccrued(Event):
    TOPIC: ClassVar[str] = "bonus.accrued"

    client_id: str = Field(min_length=1)
    amount: Money
    currency: CurrencyCode
    reason: AccrualReason
    balance: Money
    purchase_id: str | None = None
    ledger_entry_id: str

    def partition_key(self) -> str:
        return self.client_id


class BonusRedeemed(Event):
    TOPIC: ClassVar[str] = "bonus.redeemed"

    client_id: str = Field(min_length=1)
    amount: Money
    requested: Money
    shortfall: Money
    currency: CurrencyCode
    balance: Money
    purchase_id: str

    def partition_key(self) -> str:
        return self.client_id


class TierChanged(Event):
    TOPIC: ClassVar[str] = "tier.changed"

    client_id: str = Field(min_length=1)
    old_tier: str | None
    new_tier: str
    lifetime_spend: Money
    currency: CurrencyCode

    def partition_key(self) -> str:
        return self.client_id


class ClientAtRisk(Event):
    """A client overdue against their own purchase rhythm (surveys sends a win-back offer)."""

    TOPIC: ClassVar[str] = "client.at_risk"

    client_id: str = Field(min_length=1)
    last_purchase_at: datetime
    median_gap_days: float
    overdue_days: float

    def partition_key(self) -> str:
        return self.client_id
