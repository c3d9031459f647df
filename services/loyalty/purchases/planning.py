"""What a loyalty command writes: computed effects turned into documents, report
increments and events, gathered in a `Journal` whose `plan()` is what the service's
one unit of work commits (shared/store/unit_of_work.py: one journal document, then
one bulk write per collection in the order `plan()` gives, then the events through
the outbox). Collections and the shapes of their documents: accounts/repository.py.

Pure functions (no I/O). Report keys (read models, `$inc` only):

- `category:<cat>:<YYYY-MM>` and `client:<id>:<YYYY-MM>`: revenue, cost, discounts,
  bonus cost, goodwill cost, purchases (net margin = revenue - cost - bonus - goodwill);
- `client:<id>`: the same over the client's lifetime (CLV);
- `employee:<id>:<YYYY-MM>`, `store:<id>:<YYYY-MM>`: sales and weighted sales.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from services.loyalty.accounts.model import AccountState, Effect, cents_of, month_of
from services.loyalty.accounts.repository import (
    ACCOUNTS,
    LEDGER,
    LOOKUPS,
    RECEIPTS,
    REPORTS,
    UNMATCHED,
    ledger_doc,
)
from shared.contracts import from_minor_units, to_minor_units
from shared.contracts.base import Event
from shared.contracts.loyalty import AccrualReason, BonusAccrued, BonusRedeemed, TierChanged
from shared.contracts.pos import PurchaseLine, PurchaseRecorded
from shared.store.journal_steps import field_map
from shared.store.outbox import outbox_entry
from shared.store.unit_of_work import Plan

if TYPE_CHECKING:
    from services.loyalty.bootstrap import Policy


def account_changes(
    before: AccountState, after: AccountState
) -> tuple[dict[str, int], dict[str, Any]]:
    """`$inc` for money (balance, spend per month), `$set` for the rest."""
    inc: dict[str, int] = {
        "balance_cents": after.balance_cents - before.balance_cents,
        "lifetime_spend_cents": after.lifetime_spend_cents - before.lifetime_spend_cents,
    }
    for month, cents in after.spend_by_month.items():
        delta = cents - before.spend_by_month.get(month, 0)
        if delta:
            inc[f"spend_by_month.{month}"] = delta
    fields = {
        "tier": after.tier,
        "ledger_seq": after.ledger_seq,
        "earned_by_month": after.earned_by_month,
        "purchase_days": list(after.purchase_days),
    }
    return {k: v for k, v in inc.items() if v}, fields


def ledger_docs(effect: Effect, currency: str, store_id: str | None) -> list[dict[str, Any]]:
    return [ledger_doc(e, currency, store_id) for e in effect.entries]


def line_doc(line: PurchaseLine) -> dict[str, Any]:
    return {
        "sku": line.sku,
        "group": line.product_group,
        "quantity": str(line.quantity),
        "amount_cents": to_minor_units(line.amount()),
        "cost_cents": cost_cents(line),
        "discount_cents": to_minor_units(line.discount),
    }


def cost_cents(line: PurchaseLine) -> int:
    if line.unit_cost is None:
        return 0
    return to_minor_units((line.unit_cost * line.quantity).quantize(Decimal("0.01"), ROUND_HALF_UP))


def purchase_receipt(
    p: PurchaseRecorded,
    client_id: str | None,
    match: str,
    category: str,
    effect: Effect | None,
    weights: dict[str, Decimal],
) -> dict[str, Any]:
    return {
        "weighted_cents": weighted_cents(p.lines, weights),
        "_id": f"purchase:{p.purchase_id}",
        "purchase_id": p.purchase_id,
        "event_id": str(p.event_id),
        "client_id": client_id,
        "match": match,
        "category": category,
        "store_id": p.store_id,
        "employee_id": p.employee_id,
        "at": p.occurred_at,
        "total_cents": to_minor_units(p.total),
        "requested_cents": to_minor_units(p.bonus_redeemed),
        "redeemed_cents": effect.redeemed_cents if effect else 0,
        "shortfall_cents": effect.shortfall_cents if effect else to_minor_units(p.bonus_redeemed),
        "accrued_cents": effect.accrued_cents if effect else 0,
        "lines": [line_doc(line) for line in p.lines],
        "returned_cents": 0,
        "reversed_cents": 0,
        "refunded_cents": 0,
        "returned_qty": {},
    }


def weighted_cents(lines: Iterable[PurchaseLine], weights: dict[str, Decimal]) -> int:
    total = Decimal(0)
    for line in lines:
        weight = weights.get(line.sku) or weights.get(f"group:{line.product_group}") or Decimal(1)
        total += line.amount() * weight
    return cents_of(total)


def purchase_reports(
    p: PurchaseRecorded, client_id: str | None, category: str, accrued: int, policy: Policy
) -> list[tuple[str, dict[str, int]]]:
    month = month_of(p.occurred_at)
    economics = {
        "revenue_cents": to_minor_units(p.total),
        "cost_cents": sum(cost_cents(line) for line in p.lines),
        "discount_cents": sum(to_minor_units(line.discount) for line in p.lines),
        "bonus_cents": accrued,
        "purchases": 1,
    }
    rows = [(f"category:{category}:{month}", economics), (f"store:{p.store_id}:{month}", economics)]
    if client_id:
        rows += [(f"client:{client_id}:{month}", economics), (f"client:{client_id}", economics)]
    if p.employee_id:
        sales = {
            "sales_cents": to_minor_units(p.total),
            "weighted_cents": weighted_cents(p.lines, policy.weights),
            "purchases": 1,
        }
        rows.append((f"employee:{p.employee_id}:{month}", sales))
    return rows


def effect_events(
    effect: Effect, currency: str, purchase_id: str | None, reason: AccrualReason
) -> list[Event]:
    """bonus.redeemed (when redemption was asked), bonus.accrued, tier.changed."""
    state, events = effect.state, list[Event]()
    balance = from_minor_units(state.balance_cents)
    for entry in effect.entries:
        if entry.kind == "redemption" or entry.amount_cents <= 0:
            continue
        events.append(BonusAccrued(
            client_id=state.client_id, amount=from_minor_units(entry.amount_cents),
            currency=currency, reason=reason, balance=from_minor_units(entry.balance_after_cents),
            purchase_id=purchase_id, ledger_entry_id=entry.entry_id,
        ))  # fmt: skip
    if purchase_id and (effect.redeemed_cents or effect.shortfall_cents) and reason == "purchase":
        events.append(BonusRedeemed(
            client_id=state.client_id, amount=from_minor_units(effect.redeemed_cents),
            requested=from_minor_units(effect.redeemed_cents + effect.shortfall_cents),
            shortfall=from_minor_units(effect.shortfall_cents), currency=currency,
            balance=balance, purchase_id=purchase_id,
        ))  # fmt: skip
    if effect.old_tier != state.tier:
        events.append(TierChanged(
            client_id=state.client_id, old_tier=effect.old_tier or None, new_tier=state.tier,
            lifetime_spend=from_minor_units(state.lifetime_spend_cents), currency=currency,
        ))  # fmt: skip
    return events


@dataclass
class Journal:
    """Everything one loyalty command will write."""

    partitions: list[str] = field(default_factory=list)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    ledger: list[dict[str, Any]] = field(default_factory=list)
    receipts: list[dict[str, Any]] = field(default_factory=list)
    receipt_updates: dict[str, dict[str, Any]] = field(default_factory=dict)
    lookups: dict[str, dict[str, Any]] = field(default_factory=dict)
    reports: dict[str, dict[str, int]] = field(default_factory=dict)
    unmatched: list[dict[str, str]] = field(default_factory=list)
    indexes: set[tuple[str, str]] = field(default_factory=set)
    events: list[dict[str, Any]] = field(default_factory=list)

    def account(self, client_id: str, inc: Mapping[str, int], set_: Mapping[str, Any]) -> None:
        entry = self.accounts.setdefault(client_id, {"inc": {}, "set": {}})
        for k, v in inc.items():
            entry["inc"][k] = entry["inc"].get(k, 0) + v
        entry["set"].update(set_)

    def report(self, key: str, inc: Mapping[str, int]) -> None:
        doc = self.reports.setdefault(key, {})
        for k, v in inc.items():
            doc[k] = doc.get(k, 0) + v

    def event(self, event: Event) -> None:
        """Queue `event` with the trace context it is planned in (a replay continues it)."""
        self.events.append(outbox_entry(event))

    def empty(self) -> bool:
        return not (
            self.accounts or self.ledger or self.receipts or self.receipt_updates
            or self.lookups or self.reports or self.unmatched or self.events or self.indexes
        )  # fmt: skip

    def plan(self) -> Plan:
        """The unit of work's plan: accounts first (never created here: an account is
        opened by `client.registered`), reports and index documents upserted."""
        plan = Plan(partitions=self.partitions, events=list(self.events))
        accounts = {k: (v["inc"], v["set"]) for k, v in self.accounts.items()}
        plan.increment(ACCOUNTS, accounts, upsert=False)
        plan.insert(LEDGER, self.ledger)
        plan.insert(RECEIPTS, self.receipts)
        plan.set(RECEIPTS, self.receipt_updates)
        plan.set(LOOKUPS, self.lookups)
        plan.increment(REPORTS, {k: (inc, {}) for k, inc in self.reports.items()})
        plan.add(UNMATCHED, ((u["_id"], "purchase_ids", u["purchase_id"]) for u in self.unmatched))
        members = ((key, "members", member) for key, member in sorted(self.indexes))
        plan.add(REPORTS, members, remember=True)
        return plan


def legacy_steps(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The steps of a journal written before the unit of work (loyalty's own journal
    shape, fields per collection), in the order that version applied them: one left
    open by a crash just before an upgrade is replayed as written."""
    journal = Journal(partitions=list(doc.get("partitions") or ()))
    for row in doc.get("accounts", ()):
        journal.account(row["_id"], field_map(row["inc"]), row.get("set") or {})
    journal.ledger = list(doc.get("ledger", ()))
    journal.receipts = list(doc.get("receipts", ()))
    journal.receipt_updates = {r["_id"]: r["set"] for r in doc.get("receipt_updates", ())}
    journal.lookups = {r["_id"]: r["set"] for r in doc.get("lookups", ())}
    journal.reports = {r["_id"]: field_map(r["inc"]) for r in doc.get("reports", ())}
    journal.unmatched = list(doc.get("unmatched", ()))
    journal.indexes = {(r["_id"], r["member"]) for r in doc.get("indexes", ())}
    return journal.plan().steps
