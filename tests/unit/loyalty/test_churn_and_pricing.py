"""Churn risk from a client's own rhythm, and category pricing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.loyalty.accounts.model import churn_risk
from services.loyalty.rules.model import CategoryRule, price_line

WEEKLY = ("2026-10-01", "2026-10-08", "2026-10-15", "2026-10-22")


def test_a_weekly_client_is_at_risk_after_more_than_twice_their_gap() -> None:
    assert churn_risk(WEEKLY, date(2026, 11, 5), Decimal(2)) is None  # 14 days: not more than 2x7
    risk = churn_risk(WEEKLY, date(2026, 11, 6), Decimal(2))
    assert risk is not None
    assert (risk.median_gap_days, risk.overdue_days) == (Decimal(7), Decimal(8))


def test_fewer_than_three_purchases_say_nothing_about_a_rhythm() -> None:
    assert churn_risk(WEEKLY[:2], date(2027, 1, 1), Decimal(2)) is None


def test_special_price_beats_percent_which_beats_the_category_discount() -> None:
    rule = CategoryRule(
        "employee", special_prices={"TEA": Decimal("1.00")}, special_percent=Decimal("20"),
        discount_percent=Decimal("5"),
    )  # fmt: skip
    assert price_line("TEA", Decimal(3), Decimal("3.50"), rule).amount == Decimal("3.00")
    assert price_line("CUP", Decimal(1), Decimal("9.99"), rule).unit_price == Decimal("7.99")
    vip = CategoryRule("vip", discount_percent=Decimal("5"))
    assert price_line("CUP", Decimal(2), Decimal("10.00"), vip).amount == Decimal("19.00")
