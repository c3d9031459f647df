"""Bonus accounts and the pure rules of purchases, redemptions and returns.

Money inside the model is integer cents (exact, and what the store keeps); rates and
shares are `Decimal`. Nothing here does I/O: a handler loads an `AccountState`,
applies events with these functions and saves what they return. The cents and month
arithmetic lives in accounts/money.py, the churn rhythm in reports/churn.py (re-exported here).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel

from services.loyalty.accounts.money import accrual_for as accrual_for
from services.loyalty.accounts.money import cents_of as cents_of
from services.loyalty.accounts.money import cumulative_share as cumulative_share
from services.loyalty.accounts.money import month_of as month_of
from services.loyalty.accounts.money import redemption_cap as redemption_cap
from services.loyalty.accounts.money import shift_month as shift_month
from services.loyalty.reports.churn import ChurnRisk as ChurnRisk
from services.loyalty.reports.churn import churn_risk as churn_risk
from services.loyalty.rules.model import CategoryRule, TierPolicy
from shared.problems import Conflict, NotFound

LedgerKind = (
    str  # accrual | redemption | return_reversal | birthday | goodwill | expiry | adjustment
)


class BonusAccount(BaseModel):
    client_id: str
    balance: Decimal
    currency: str
    opened_at: datetime
    tier: str
    lifetime_spend: Decimal
    category: str = "regular"


class AccountNotFound(NotFound):
    def problem_detail(self) -> str:
        return f"no bonus account for client {self}"


class InsufficientBonus(Conflict):
    """A manual adjustment would take the balance below zero."""

    def problem_detail(self) -> str:
        return f"the balance may not go below zero ({self})"


RHYTHM_DAYS = 12  # purchase days kept per account for the churn rhythm


@dataclass(frozen=True)
class LedgerEntry:
    """One line of a client's bonus history; `cause` names the event or action."""

    client_id: str
    seq: int
    kind: LedgerKind
    amount_cents: int
    balance_after_cents: int
    at: datetime
    cause: str
    purchase_id: str | None = None
    actor: str | None = None
    reason: str | None = None

    @property
    def entry_id(self) -> str:
        return ledger_id(self.client_id, self.seq)


def ledger_id(client_id: str, seq: int) -> str:
    return f"{client_id}:{seq:09d}"


@dataclass(frozen=True)
class AccountState:
    """What the rules need of one account; the handlers persist the differences."""

    client_id: str
    balance_cents: int = 0
    lifetime_spend_cents: int = 0
    spend_by_month: dict[str, int] = field(default_factory=dict)
    tier: str = ""
    ledger_seq: int = 0
    category: str = "regular"
    open_complaints: frozenset[str] = frozenset()
    earned_by_month: dict[str, int] = field(default_factory=dict)
    purchase_days: tuple[str, ...] = ()


@dataclass(frozen=True)
class Effect:
    """Everything one event did to one account."""

    state: AccountState
    entries: tuple[LedgerEntry, ...] = ()
    redeemed_cents: int = 0
    shortfall_cents: int = 0
    accrued_cents: int = 0
    old_tier: str | None = None


def post(
    state: AccountState,
    kind: LedgerKind,
    amount_cents: int,
    at: datetime,
    cause: str,
    **extra: str | None,
) -> tuple[AccountState, LedgerEntry]:
    """Add one ledger entry; the balance moves by exactly its amount and stays >= 0."""
    balance = state.balance_cents + amount_cents
    if balance < 0:
        raise InsufficientBonus(f"balance would be {balance} cents")
    seq = state.ledger_seq + 1
    entry = LedgerEntry(state.client_id, seq, kind, amount_cents, balance, at, cause, **extra)
    earned = age_buckets(state.earned_by_month, amount_cents, month_of(at))
    return replace(state, balance_cents=balance, ledger_seq=seq, earned_by_month=earned), entry


def age_buckets(buckets: dict[str, int], amount_cents: int, month: str) -> dict[str, int]:
    """Bonus by the month it was earned: credits add to `month`, debits take the oldest
    first (FIFO), so expiry takes only what was earned long ago and never spent."""
    out = dict(buckets)
    if amount_cents > 0:
        out[month] = out.get(month, 0) + amount_cents
        return out
    owed = -amount_cents
    for m in sorted(out):
        take = min(owed, out[m])
        out[m] -= take
        owed -= take
    return {m: c for m, c in out.items() if c > 0}


def expire(state: AccountState, now: datetime, months: int, cause: str) -> Effect:
    """Bonus earned `months` or more calendar months before `now` and still unspent
    expires; paused while the client has an open complaint."""
    if state.open_complaints:
        return Effect(state)
    cutoff = shift_month(month_of(now), -months)
    due = sum(c for m, c in state.earned_by_month.items() if m <= cutoff)
    if due <= 0:
        return Effect(state)
    state, entry = post(state, "expiry", -due, now, cause)
    return Effect(state, (entry,))


def add_spend(state: AccountState, cents: int, at: datetime) -> AccountState:
    months = dict(state.spend_by_month)
    months[month_of(at)] = months.get(month_of(at), 0) + cents
    return replace(
        state, lifetime_spend_cents=state.lifetime_spend_cents + cents, spend_by_month=months
    )


def retier(state: AccountState, policy: TierPolicy, at: datetime) -> AccountState:
    """Raise at once; lower only when no complaint is open (downgrades pause)."""
    wanted = policy.tier_for(policy.rolling_spend(state.spend_by_month, at))
    if policy.rank(wanted) < policy.rank(state.tier) and state.open_complaints:
        return state
    return replace(state, tier=wanted)


def apply_purchase(
    state: AccountState,
    *,
    purchase_id: str,
    total_cents: int,
    requested_cents: int,
    at: datetime,
    cause: str,
    rule: CategoryRule,
    policy: TierPolicy,
    max_share: Decimal,
) -> Effect:
    """Redeem (capped, shortfall recorded), then accrue on what was paid, then re-tier."""
    entries: list[LedgerEntry] = []
    old_tier = state.tier
    cap = redemption_cap(total_cents, state.balance_cents, max_share)
    redeemed = min(requested_cents, cap)
    if redeemed:
        state, entry = post(state, "redemption", -redeemed, at, cause, purchase_id=purchase_id)
        entries.append(entry)
    paid = total_cents - redeemed
    accrued = accrual_for(paid, rule, policy.multiplier(state.tier))
    if accrued:
        state, entry = post(state, "accrual", accrued, at, cause, purchase_id=purchase_id)
        entries.append(entry)
    state = retier(add_spend(state, paid, at), policy, at)
    days = tuple(sorted({*state.purchase_days, at.date().isoformat()}))[-RHYTHM_DAYS:]
    state = replace(state, purchase_days=days)
    return Effect(state, tuple(entries), redeemed, requested_cents - redeemed, accrued, old_tier)


@dataclass(frozen=True)
class ReturnShare:
    """How much of a purchase's money, bonus and redemption a return gives back."""

    amount_cents: int
    accrual_cents: int
    redemption_cents: int


def return_share(
    *,
    total_cents: int,
    accrued_cents: int,
    redeemed_cents: int,
    returned_before_cents: int,
    returned_now_cents: int,
    reversed_before_cents: int,
    refunded_before_cents: int,
) -> ReturnShare:
    """Exactly the returned share; cumulative rounding so a full return reverses all."""
    if total_cents <= 0:
        return ReturnShare(0, 0, 0)
    returned_after = min(total_cents, returned_before_cents + returned_now_cents)
    now = returned_after - returned_before_cents
    ratio = Decimal(returned_after) / Decimal(total_cents)
    accrual_total = cents_of(Decimal(accrued_cents) / 100 * ratio)
    refund_total = cents_of(Decimal(redeemed_cents) / 100 * ratio)
    return ReturnShare(
        now, accrual_total - reversed_before_cents, refund_total - refunded_before_cents
    )


def apply_return(
    state: AccountState,
    share: ReturnShare,
    *,
    purchase_id: str,
    at: datetime,
    cause: str,
    policy: TierPolicy,
    purchased_at: datetime,
) -> Effect:
    """Give back the redeemed share, take back the accrued share (never below zero)."""
    entries: list[LedgerEntry] = []
    old_tier = state.tier
    if share.redemption_cents:
        state, entry = post(
            state, "return_reversal", share.redemption_cents, at, cause, purchase_id=purchase_id
        )
        entries.append(entry)
    take = min(share.accrual_cents, state.balance_cents)
    if take:
        state, entry = post(state, "return_reversal", -take, at, cause, purchase_id=purchase_id)
        entries.append(entry)
    paid_back = share.amount_cents - share.redemption_cents
    state = retier(add_spend(state, -max(0, paid_back), purchased_at), policy, at)
    return Effect(state, tuple(entries), 0, share.accrual_cents - take, -take, old_tier)


def credit(
    state: AccountState,
    kind: LedgerKind,
    amount_cents: int,
    at: datetime,
    cause: str,
    *,
    actor: str | None = None,
    reason: str | None = None,
) -> Effect:
    """Birthday, goodwill or a manual adjustment (negative only down to zero)."""
    state, entry = post(state, kind, amount_cents, at, cause, actor=actor, reason=reason)
    return Effect(state, (entry,), accrued_cents=max(0, amount_cents))
