"""Economics from the report read models: pure arithmetic on integer cents.

net margin = revenue (after line discounts) - cost of goods - bonus cost (accrued,
birthday, adjustments, minus reversed and expired) - goodwill cost. Bonus is a cost
when it is granted, so a purchase paid partly with bonus still counts its whole
total as revenue. A client's lifetime value (CLV) is their lifetime net margin.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

FIELDS = ("revenue_cents", "cost_cents", "discount_cents", "bonus_cents", "goodwill_cents")


@dataclass(frozen=True)
class Economics:
    revenue_cents: int = 0
    cost_cents: int = 0
    discount_cents: int = 0
    bonus_cents: int = 0
    goodwill_cents: int = 0
    purchases: int = 0

    @property
    def net_margin_cents(self) -> int:
        return self.revenue_cents - self.cost_cents - self.bonus_cents - self.goodwill_cents


def economics_of(docs: Iterable[Mapping[str, Any]]) -> Economics:
    """Sum the monthly documents of one subject over a period."""
    totals = dict.fromkeys((*FIELDS, "purchases"), 0)
    for doc in docs:
        for name in totals:
            totals[name] += int(doc.get(name, 0))
    return Economics(**totals)


def months_between(first: str, last: str) -> list[str]:
    """`2026-01`..`2026-03` -> every month in between, inclusive (at most 10 years)."""
    y, m = (int(x) for x in first.split("-"))
    end = tuple(int(x) for x in last.split("-"))
    months: list[str] = []
    while (y, m) <= end and len(months) < 120:
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def per_client(e: Economics, clients: int) -> Decimal:
    """Net margin per client in cents (Decimal, exact), 0 with no clients."""
    if clients <= 0:
        return Decimal(0)
    return Decimal(e.net_margin_cents) / Decimal(clients)


def rank_categories(rows: dict[str, tuple[Economics, int]]) -> list[str]:
    """Categories by net margin per client, best first (ties by name)."""
    return sorted(rows, key=lambda c: (-per_client(*rows[c]), c))
