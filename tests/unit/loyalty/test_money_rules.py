"""Property-based tests of the pure rules: any sequence of purchases, returns and
redemptions keeps balance == ledger sum, never negative, and never touches float."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from services.loyalty.accounts.model import (
    AccountState,
    Effect,
    LedgerEntry,
    apply_purchase,
    apply_return,
    cumulative_share,
    expire,
    redemption_cap,
    retier,
    return_share,
)
from services.loyalty.rules.model import DEFAULT_RULES, TierPolicy, parse_tiers

POLICY = TierPolicy(parse_tiers("bronze:0:1,silver:500:1.25,gold:2000:1.5"))
START = datetime(2026, 1, 1, tzinfo=UTC)

CATEGORIES = st.sampled_from(list(DEFAULT_RULES))
purchase_step = st.tuples(
    st.just("buy"), st.integers(0, 500_000), st.integers(0, 200_000), CATEGORIES
)
return_step = st.tuples(st.just("return"), st.integers(0, 20), st.integers(1, 100), st.just(""))
steps = st.lists(st.one_of(purchase_step, return_step), min_size=1, max_size=40)


def no_float(entry: LedgerEntry) -> None:
    assert isinstance(entry.amount_cents, int) and isinstance(entry.balance_after_cents, int)


def run(sequence: list[tuple[str, int, int, str]]) -> tuple[AccountState, list[LedgerEntry]]:
    state = AccountState("c", tier="bronze")
    purchases: list[dict[str, int]] = []
    ledger: list[LedgerEntry] = []
    for day, (kind, a, b, category) in enumerate(sequence):
        at = START + timedelta(days=day)
        effect: Effect
        if kind == "buy":
            state = AccountState(**{**state.__dict__, "category": category})
            effect = apply_purchase(
                state, purchase_id=f"p{day}", total_cents=a, requested_cents=b, at=at,
                cause="t", rule=DEFAULT_RULES[category], policy=POLICY, max_share=Decimal("0.5"),
            )  # fmt: skip
            assert effect.redeemed_cents <= redemption_cap(a, state.balance_cents, Decimal("0.5"))
            assert effect.redeemed_cents + effect.shortfall_cents == b  # never silently absorbed
            purchases.append(
                {"total": a, "accrued": effect.accrued_cents, "redeemed": effect.redeemed_cents,
                 "returned": 0, "reversed": 0, "refunded": 0, "at": day}
            )  # fmt: skip
        elif purchases:
            p = purchases[a % len(purchases)]
            now = p["total"] * b // 100
            share = return_share(
                total_cents=p["total"], accrued_cents=p["accrued"], redeemed_cents=p["redeemed"],
                returned_before_cents=p["returned"], returned_now_cents=now,
                reversed_before_cents=p["reversed"], refunded_before_cents=p["refunded"],
            )  # fmt: skip
            effect = apply_return(
                state, share, purchase_id="p", at=at, cause="t", policy=POLICY,
                purchased_at=START + timedelta(days=p["at"]),
            )  # fmt: skip
            p["returned"] += share.amount_cents
            p["reversed"] += share.accrual_cents
            p["refunded"] += share.redemption_cents
            assert p["reversed"] <= p["accrued"] and p["refunded"] <= p["redeemed"]
        else:
            continue
        state = effect.state
        ledger.extend(effect.entries)
        assert state.balance_cents >= 0
    return state, ledger


@settings(max_examples=300, deadline=None)
@given(steps)
def test_balance_is_the_ledger_sum_and_never_negative(
    sequence: list[tuple[str, int, int, str]],
) -> None:
    state, ledger = run(sequence)
    assert state.balance_cents == sum(e.amount_cents for e in ledger)
    assert [e.seq for e in ledger] == list(range(1, len(ledger) + 1))
    running = 0
    for entry in ledger:
        no_float(entry)
        running += entry.amount_cents
        assert entry.balance_after_cents == running >= 0
    assert sum(state.earned_by_month.values()) == state.balance_cents  # FIFO buckets agree


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 10_000_00), st.integers(0, 100_000), st.integers(0, 100_000),
    st.lists(st.integers(1, 30), min_size=1, max_size=8),
)  # fmt: skip
def test_returning_everything_in_parts_reverses_exactly_the_whole(
    total: int, accrued: int, redeemed: int, parts: list[int]
) -> None:
    quantity = Decimal(sum(parts))
    returned = reversed_ = refunded = 0
    before = Decimal(0)
    for part in parts:
        amount = cumulative_share(total, quantity, before, Decimal(part))
        share = return_share(
            total_cents=total, accrued_cents=accrued, redeemed_cents=redeemed,
            returned_before_cents=returned, returned_now_cents=amount,
            reversed_before_cents=reversed_, refunded_before_cents=refunded,
        )  # fmt: skip
        returned, reversed_, refunded = (
            returned + share.amount_cents, reversed_ + share.accrual_cents,
            refunded + share.redemption_cents,
        )  # fmt: skip
        before += part
    assert (returned, reversed_, refunded) == (total, accrued, redeemed)


@settings(max_examples=100, deadline=None)
@given(steps, st.integers(1, 24))
def test_expiry_takes_only_old_unspent_bonus_and_pauses_for_complaints(
    sequence: list[tuple[str, int, int, str]], months: int
) -> None:
    state, _ = run(sequence)
    later = START + timedelta(days=40 * 30)
    paused = expire(
        AccountState(**{**state.__dict__, "open_complaints": frozenset({"k1"})}), later, months, "x"
    )
    assert paused.entries == ()
    effect = expire(state, later, months, "x")
    assert effect.state.balance_cents >= 0
    assert (
        sum(e.amount_cents for e in effect.entries)
        == effect.state.balance_cents - state.balance_cents
    )


def test_accrual_uses_category_rate_and_tier_multiplier_rounding_down() -> None:
    state = AccountState("c", tier="gold")
    effect = apply_purchase(
        state, purchase_id="p", total_cents=3333, requested_cents=0, at=START, cause="t",
        rule=DEFAULT_RULES["vip"], policy=POLICY, max_share=Decimal("0.5"),
    )  # fmt: skip
    assert effect.accrued_cents == 399  # 33.33 x 8% x 1.5 = 3.9996 -> 3.99


def test_tier_rises_with_spend_and_falls_when_old_months_leave_the_window() -> None:
    state = AccountState("c", tier="bronze")
    effect = apply_purchase(
        state, purchase_id="p", total_cents=250_000, requested_cents=0, at=START, cause="t",
        rule=DEFAULT_RULES["regular"], policy=POLICY, max_share=Decimal("0.5"),
    )  # fmt: skip
    assert effect.state.tier == "gold"
    assert retier(effect.state, POLICY, START + timedelta(days=400)).tier == "bronze"
    held = AccountState(**{**effect.state.__dict__, "open_complaints": frozenset({"k"})})
    assert retier(held, POLICY, START + timedelta(days=400)).tier == "gold"


def test_no_float_in_the_money_code() -> None:
    import services.loyalty as package

    root = Path(package.__file__).parent
    for name in (
        "accounts/model.py",
        "accounts/money.py",
        "rules/model.py",
        "reports/model.py",
        "purchases/planning.py",
    ):
        assert "float" not in (root / name).read_text(), name
