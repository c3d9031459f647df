"""Money and month arithmetic of the loyalty model: whole cents with explicit rounding,
redemption caps, accrual, cumulative shares of returned lines, month keys. Pure."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from services.loyalty.rules.model import CategoryRule


def cents_of(amount: Decimal, rounding: str = ROUND_HALF_UP) -> int:
    """Decimal money (or money x rate) -> whole cents with an explicit rounding."""
    return int((amount * 100).quantize(Decimal(1), rounding=rounding))


def month_of(at: datetime) -> str:
    return f"{at.year:04d}-{at.month:02d}"


def shift_month(month: str, delta: int) -> str:
    year, mon = (int(x) for x in month.split("-"))
    index = year * 12 + (mon - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def redemption_cap(total_cents: int, balance_cents: int, max_share: Decimal) -> int:
    """The most bonus one purchase may use: a share of its total, and no more than held."""
    return max(0, min(balance_cents, cents_of(Decimal(total_cents) / 100 * max_share, ROUND_DOWN)))


def accrual_for(paid_cents: int, rule: CategoryRule, multiplier: Decimal) -> int:
    """Bonus earned on the money actually paid, rounded down (never over-credit)."""
    if paid_cents <= 0:
        return 0
    return cents_of(Decimal(paid_cents) / 100 * rule.accrual_rate * multiplier, ROUND_DOWN)


def cumulative_share(amount_cents: int, quantity: Decimal, before: Decimal, now: Decimal) -> int:
    """Cents of a line for `now` more units after `before`: cumulative rounding, so the
    parts of a line returned bit by bit add up to exactly the line."""
    if quantity <= 0:
        return 0

    def upto(units: Decimal) -> int:
        return cents_of(Decimal(amount_cents) / 100 * units / quantity)

    return upto(before + now) - upto(before)
