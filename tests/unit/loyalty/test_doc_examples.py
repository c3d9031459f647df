"""docs/loyalty.md's rules and worked examples, recomputed through the model's functions.

Every row of the tables marked `<!-- checked: NAME -->` is read from the page and
checked here against the default rules, tiers and settings, so the page cannot drift
from the code: change a rule and this test names the row that no longer holds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from services.loyalty.accounts.model import (
    AccountState,
    apply_purchase,
    apply_return,
    cumulative_share,
    return_share,
)
from services.loyalty.bootstrap import Policy
from services.loyalty.config import LoyaltySettings
from services.loyalty.rules.model import DEFAULT_RULES, price_line
from shared.contracts import from_minor_units, to_minor_units

DOC = Path(__file__).resolve().parents[3] / "docs" / "loyalty.md"
AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
# The defaults the page describes, whatever LOYALTY_* the test run has in its environment.
DEFAULTS = {n: f.default for n, f in LoyaltySettings.model_fields.items() if f.default is not None}
POLICY = Policy.from_settings(LoyaltySettings(**DEFAULTS))


def table(name: str) -> list[dict[str, str]]:
    """The rows of the Markdown table that follows `<!-- examples: name -->`."""
    lines = DOC.read_text().split(f"<!-- checked: {name} -->\n", 1)[1].splitlines()
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in lines]
    rows = rows[: next((i for i, line in enumerate(lines) if not line.startswith("|")), None)]
    header, body = rows[0], rows[2:]
    return [dict(zip(header, row, strict=True)) for row in body]


def cents(text: str) -> int:
    return to_minor_units(Decimal(text.replace(",", "")))


def money(value: int) -> str:
    return str(from_minor_units(value))


def ids(rows: list[dict[str, str]]) -> list[str]:
    return [row["#"] for row in rows]


PURCHASES, PRICES, RETURNS = table("purchases"), table("prices"), table("returns")


def test_the_category_table_states_the_default_rules() -> None:
    stated = {
        r["category"].strip("`"): (r["accrual rate"], r["birthday bonus"])
        for r in table("categories")
    }
    assert stated == {
        name: (f"{(rule.accrual_rate * 100).normalize():f} %", f"{rule.birthday_bonus:.2f}")
        for name, rule in DEFAULT_RULES.items()
    }


def test_the_tier_table_states_the_default_tiers() -> None:
    stated = [
        (r["tier"].strip("`"), r["from a 12-month spend of"].replace(",", ""), r["multiplier"])
        for r in table("tiers")
    ]
    assert stated == [
        (t.name, str(from_minor_units(t.threshold_cents)), str(t.multiplier))
        for t in POLICY.tiers.tiers
    ]


@pytest.mark.parametrize("row", PURCHASES, ids=ids(PURCHASES))
def test_a_purchase_example_holds(row: dict[str, str]) -> None:
    spend = cents(row["spend before"])
    state = AccountState(
        "c-1", balance_cents=cents(row["balance before"]), lifetime_spend_cents=spend,
        spend_by_month={"2026-11": spend}, tier=row["tier before"], category=row["category"],
    )  # fmt: skip
    effect = apply_purchase(
        state, purchase_id="p-1", total_cents=cents(row["total"]),
        requested_cents=cents(row["bonus asked"]), at=AT, cause="doc",
        rule=DEFAULT_RULES[row["category"]], policy=POLICY.tiers, max_share=POLICY.max_share,
    )  # fmt: skip
    computed = {
        "redeemed": money(effect.redeemed_cents),
        "bonus earned": money(effect.accrued_cents),
        "balance after": money(effect.state.balance_cents),
        "tier after": effect.state.tier,
    }
    assert computed == {k: row[k] for k in computed}


@pytest.mark.parametrize("row", PRICES, ids=ids(PRICES))
def test_a_price_example_holds(row: dict[str, str]) -> None:
    rule = DEFAULT_RULES[row["category"]]
    line = price_line("A1", Decimal(row["units"]), Decimal(row["list price"]), rule)
    computed = {
        "unit price": str(line.unit_price),
        "line amount": str(line.amount),
        "why": line.rule,
    }
    assert computed == {k: row[k] for k in computed}


@pytest.mark.parametrize("row", RETURNS, ids=ids(RETURNS))
def test_a_return_example_holds(row: dict[str, str]) -> None:
    units_text, price_text = (p.strip() for p in row["bought"].split("\N{MULTIPLICATION SIGN}"))
    units, amount = Decimal(units_text), int(units_text) * cents(price_text)
    before, now = Decimal(row["units returned before"]), Decimal(row["units returned now"])
    accrued, redeemed = cents(row["bonus earned"]), cents(row["redeemed"])

    def share(done: int, returning: int, reversed_: int, refunded: int) -> Any:
        return return_share(
            total_cents=amount, accrued_cents=accrued, redeemed_cents=redeemed,
            returned_before_cents=done, returned_now_cents=returning,
            reversed_before_cents=reversed_, refunded_before_cents=refunded,
        )  # fmt: skip

    earlier_money = cumulative_share(amount, units, Decimal(0), before)
    earlier = share(0, earlier_money, 0, 0)  # the earlier returns, fully collected
    money_now = cumulative_share(amount, units, before, now)
    current = share(earlier_money, money_now, earlier.accrual_cents, earlier.redemption_cents)
    state = AccountState("c-1", balance_cents=cents(row["balance before"]), tier="bronze")
    effect = apply_return(
        state, current, purchase_id="p-1", at=AT, cause="doc", policy=POLICY.tiers,
        purchased_at=AT,
    )  # fmt: skip
    computed = {
        "money returned": money(money_now),
        "bonus taken back": money(-effect.accrued_cents),
        "bonus given back": money(current.redemption_cents),
        "balance after": money(effect.state.balance_cents),
    }
    assert computed == {k: row[k] for k in computed}
