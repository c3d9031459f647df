"""Events loyalty publishes (keyed by client id)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from shared.contracts.base import ClientEvent, CurrencyCode, Money

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
