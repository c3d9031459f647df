"""Crediting purchases made before the client registered (card/phone not known yet).

Such a purchase is kept as `unmatched` (receipt without a client). It may be returned,
wholly or in part, before the client registers: the return then reversed nothing
(there was no bonus) and only took its money and cost out of the `unmatched`
reports. When the client registers, the purchase is credited as if it had been
theirs all along: the full accrual, then the returned share reversed at once, with
the same cumulative rounding a later return uses (model.return_share), so a further
return of the rest reverses exactly what is left.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.loyalty.accounts.model import (
    AccountState,
    apply_purchase,
    apply_return,
    cumulative_share,
    month_of,
    return_share,
)
from services.loyalty.accounts.repository import ledger_doc
from services.loyalty.bootstrap import Context
from services.loyalty.purchases.planning import Journal, effect_events
from services.loyalty.rules.model import CategoryRule


def receipt_economics(receipt: dict[str, Any], sign: int) -> dict[str, int]:
    lines = receipt.get("lines") or []
    return {
        "revenue_cents": sign * int(receipt["total_cents"]),
        "cost_cents": sign * sum(int(x.get("cost_cents", 0)) for x in lines),
        "discount_cents": sign * sum(int(x.get("discount_cents", 0)) for x in lines),
        "purchases": sign,
    }


def returned_cost_cents(receipt: dict[str, Any]) -> int:
    """The cost of the units returned so far, rounded as the returns were."""
    returned = receipt.get("returned_qty") or {}
    total = 0
    for line in receipt.get("lines") or []:
        units = Decimal(returned.get(line["sku"], "0"))
        total += cumulative_share(
            int(line.get("cost_cents", 0)), Decimal(line["quantity"]), Decimal(0), units
        )
    return total


def plan_credit(
    journal: Journal, loyalty: Context, state: AccountState, receipt: dict[str, Any],
    rule: CategoryRule,
) -> AccountState:  # fmt: skip
    pid, at, total = receipt["purchase_id"], receipt["at"], int(receipt["total_cents"])
    currency, tiers = loyalty.policy.currency, loyalty.policy.tiers
    effect = apply_purchase(
        state, purchase_id=pid, total_cents=total, requested_cents=0, at=at,
        cause=f"purchase.recorded:{receipt['event_id']}", rule=rule, policy=tiers,
        max_share=loyalty.policy.max_share,
    )  # fmt: skip
    category, after, reversed_cents = effect.state.category, effect.state, 0
    store = receipt.get("store_id")
    journal.ledger.extend(ledger_doc(e, currency, store) for e in effect.entries)
    events = effect_events(effect, currency, pid, "purchase")
    returned = int(receipt.get("returned_cents", 0))
    if returned:
        share = return_share(
            total_cents=total, accrued_cents=effect.accrued_cents, redeemed_cents=0,
            returned_before_cents=0, returned_now_cents=returned, reversed_before_cents=0,
            refunded_before_cents=0,
        )  # fmt: skip
        causes = ",".join(receipt.get("return_events") or ()) or "before_registration"
        back = apply_return(
            after, share, purchase_id=pid, at=at, cause=f"purchase.returned:{causes}",
            policy=tiers, purchased_at=at,
        )  # fmt: skip
        after, reversed_cents = back.state, share.accrual_cents
        journal.ledger.extend(ledger_doc(e, currency, store) for e in back.entries)
        events += effect_events(back, currency, pid, "return_reversal")
    journal.receipt_updates[receipt["_id"]] = {
        "client_id": state.client_id, "match": "client", "category": category,
        "accrued_cents": effect.accrued_cents, "reversed_cents": reversed_cents,
    }  # fmt: skip
    move_reports(journal, receipt, state.client_id, category, effect.accrued_cents - reversed_cents)
    for event in events:
        journal.event(event)
    return after


def move_reports(
    journal: Journal, receipt: dict[str, Any], client_id: str, category: str, bonus: int
) -> None:
    """From `unmatched` to the client's category: the purchase net of its returns."""
    month = month_of(receipt["at"])
    returned = {
        "revenue_cents": int(receipt.get("returned_cents", 0)),
        "cost_cents": returned_cost_cents(receipt),
    }
    out = receipt_economics(receipt, -1)
    for k, v in returned.items():
        out[k] += v
    journal.report(f"category:unmatched:{month}", out)
    into = {k: -v for k, v in out.items()} | {"bonus_cents": bonus}
    for key in (f"category:{category}:{month}", f"client:{client_id}:{month}",
                f"client:{client_id}"):  # fmt: skip
        journal.report(key, into)
