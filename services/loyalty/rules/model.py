"""Category rules, tiers and category pricing: pure values and functions.

A category rule says how a category's clients earn and pay: accrual rate, a
percentage discount, special prices (per SKU, or a percent off everything; meant for
`employee`), whether a prepayment is required (`problem`) and the birthday bonus.
Admins edit rules through the internal API; unknown categories use `regular`'s.

Tiers are by spend over a rolling 12 months (the current month and the 11 before),
so they rise as a client buys and fall when old months drop out of the window or a
return takes spend back; each tier multiplies the accrual rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class CategoryRule:
    name: str
    accrual_rate: Decimal = Decimal("0.05")
    discount_percent: Decimal = ZERO
    special_prices: dict[str, Decimal] = field(default_factory=dict)
    special_percent: Decimal | None = None
    prepayment_required: bool = False
    birthday_bonus: Decimal = Decimal("5.00")


DEFAULT_RULES: dict[str, CategoryRule] = {
    "regular": CategoryRule("regular"),
    "vip": CategoryRule("vip", accrual_rate=Decimal("0.08"), discount_percent=Decimal("5"),
                        birthday_bonus=Decimal("20.00")),
    "problem": CategoryRule("problem", accrual_rate=Decimal("0.02"), prepayment_required=True,
                            birthday_bonus=ZERO),
    "employee": CategoryRule("employee", accrual_rate=ZERO, special_percent=Decimal("20"),
                             birthday_bonus=Decimal("10.00")),
}  # fmt: skip


def rule_for(category: str, rules: dict[str, CategoryRule]) -> CategoryRule:
    return rules.get(category) or rules.get("regular") or CategoryRule("regular")


@dataclass(frozen=True)
class Tier:
    name: str
    threshold_cents: int
    multiplier: Decimal


def parse_tiers(spec: str) -> tuple[Tier, ...]:
    """`"bronze:0:1,silver:500:1.25,gold:2000:1.5"` -> tiers sorted by threshold."""
    tiers = []
    for part in spec.split(","):
        name, threshold, multiplier = (p.strip() for p in part.split(":"))
        tiers.append(Tier(name, int(Decimal(threshold) * 100), Decimal(multiplier)))
    if not tiers or sorted(t.threshold_cents for t in tiers)[0] != 0:
        raise ValueError("the lowest tier must start at 0")
    return tuple(sorted(tiers, key=lambda t: t.threshold_cents))


@dataclass(frozen=True)
class TierPolicy:
    tiers: tuple[Tier, ...]
    window_months: int = 12

    def tier_for(self, spend_cents: int) -> str:
        name = self.tiers[0].name
        for tier in self.tiers:
            if spend_cents >= tier.threshold_cents:
                name = tier.name
        return name

    def rank(self, name: str) -> int:
        for i, tier in enumerate(self.tiers):
            if tier.name == name:
                return i
        return -1

    def multiplier(self, name: str) -> Decimal:
        for tier in self.tiers:
            if tier.name == name:
                return tier.multiplier
        return self.tiers[0].multiplier

    def window(self, at: datetime) -> set[str]:
        months = set()
        year, month = at.year, at.month
        for _ in range(self.window_months):
            months.add(f"{year:04d}-{month:02d}")
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        return months

    def rolling_spend(self, spend_by_month: dict[str, int], at: datetime) -> int:
        inside = self.window(at)
        return sum(c for m, c in spend_by_month.items() if m in inside)


@dataclass(frozen=True)
class QuotedLine:
    sku: str
    quantity: Decimal
    list_price: Decimal
    unit_price: Decimal
    amount: Decimal
    rule: str


def price_line(sku: str, quantity: Decimal, unit_price: Decimal, rule: CategoryRule) -> QuotedLine:
    """A special price (per SKU, else percent) wins over the category discount."""
    if sku in rule.special_prices:
        price, why = rule.special_prices[sku], "special_price"
    elif rule.special_percent is not None:
        price, why = unit_price * (100 - rule.special_percent) / 100, "special_percent"
    elif rule.discount_percent:
        price, why = unit_price * (100 - rule.discount_percent) / 100, "category_discount"
    else:
        price, why = unit_price, "list_price"
    price = price.quantize(CENT, rounding=ROUND_HALF_UP)
    amount = (price * quantity).quantize(CENT, rounding=ROUND_HALF_UP)
    return QuotedLine(sku, quantity, unit_price, price, amount, why)
