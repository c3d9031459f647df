"""`purchase.returned`: reverse exactly the returned share of bonus, redemption and spend.

The return receipt `return:<return_id>` is the dedup key. Each returned line is
priced by cumulative rounding against the purchase line (model.cumulative_share),
so the parts of a purchase returned bit by bit add up to the whole, cent for cent.

A return may come before its purchase (the POS sends both at once, on two topics):
it waits in the waiting room (shared/messaging/waiting.py) under `purchase:<id>`,
and the purchase batch that records the purchase releases it (`waiting_for`); one
that waits longer than `LOYALTY_WAITING_MAX_AGE_H` goes to the DLQ as
`purchase_never_recorded`.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from services.loyalty.accounts.model import apply_return, cumulative_share, month_of, return_share
from services.loyalty.accounts.repository import ledger_doc, state_of
from services.loyalty.bootstrap import Context
from services.loyalty.purchases.planning import Journal, account_changes, effect_events
from services.loyalty.returns.waiting import note_return_waiting
from shared.contracts.pos import PurchaseReturned
from shared.logging import get_logger
from shared.messaging.dead_letters import Unprocessable
from shared.messaging.waiting import ClientNotKnownYet

log = get_logger(__name__)

NOT_RECORDED_YET = "purchase_not_recorded_yet"
NEVER_RECORDED = "purchase_never_recorded"


def returned_amounts(
    purchase: dict[str, Any], event: PurchaseReturned
) -> tuple[int, int, dict[str, str]]:
    """(money, cost, new returned quantities per SKU); refuses more than was bought."""
    lines = {line["sku"]: line for line in purchase["lines"]}
    done = {k: Decimal(v) for k, v in (purchase.get("returned_qty") or {}).items()}
    money = cost = 0
    for item in event.lines:
        line = lines.get(item.sku)
        if line is None:
            raise Unprocessable(f"purchase {event.purchase_id} has no line with sku {item.sku}")
        bought, before = Decimal(line["quantity"]), done.get(item.sku, Decimal(0))
        if before + item.quantity > bought:
            raise Unprocessable(
                f"sku {item.sku}: returning {item.quantity} after {before} of {bought} bought"
            )
        money += cumulative_share(int(line["amount_cents"]), bought, before, item.quantity)
        cost += cumulative_share(int(line.get("cost_cents", 0)), bought, before, item.quantity)
        done[item.sku] = before + item.quantity
    return money, cost, {k: str(v) for k, v in done.items()}


async def record_return(
    loyalty: Context,
    event: PurchaseReturned,
    owned: set[str] | None,
    arrived_on: int | None = None,
) -> None:
    """Applied by the replica that owns the purchase's account (accounts/owner.py);
    another hands the return on (`arrived_on`: the partition a handed-on one came in)."""
    store, repo = loyalty.unit_of_work, loyalty.repo
    rid, pid = f"return:{event.return_id}", f"purchase:{event.purchase_id}"
    async with store.lock:
        await store.replay_open(owned)
        found = await repo.receipts([rid, pid])
        if rid in found:
            log.info("duplicate_return_ignored", return_id=event.return_id)
            return
        purchase = found.get(pid)
        if purchase is None:  # the receipt's id is the key the return waits under
            await note_return_waiting(loyalty)  # before it is parked (waiting.py)
            raise ClientNotKnownYet([pid], NOT_RECORDED_YET, NEVER_RECORDED)
        doc = await repo.load_raw(purchase["client_id"]) if purchase.get("client_id") else None
        if doc is None or loyalty.owners.owns(doc, arrived_on):
            await loyalty.commit(plan_return(loyalty, event, purchase, doc))
            return
    # The purchase's receipt names the client: the reference (card, phone) stays here.
    details = event.model_dump(mode="json", exclude={"client"})
    await loyalty.owners.hand_on(doc, "return", details)


async def purchases_recorded(loyalty: Context, keys: Sequence[str]) -> bool:
    """Whether one of these `purchase:<id>` keys has its receipt now (the pipeline asks
    after parking a return: a purchase recorded meanwhile released nothing)."""
    return bool(await loyalty.repo.receipts(k for k in keys if k.startswith("purchase:")))


def plan_return(
    loyalty: Context, event: PurchaseReturned, purchase: dict[str, Any], doc: dict[str, Any] | None
) -> Journal:
    money, cost, quantities = returned_amounts(purchase, event)
    share = return_share(
        total_cents=int(purchase["total_cents"]), accrued_cents=int(purchase["accrued_cents"]),
        redeemed_cents=int(purchase["redeemed_cents"]),
        returned_before_cents=int(purchase["returned_cents"]), returned_now_cents=money,
        reversed_before_cents=int(purchase["reversed_cents"]),
        refunded_before_cents=int(purchase["refunded_cents"]),
    )  # fmt: skip
    journal, reversed_now = Journal(), 0
    cause = f"purchase.returned:{event.event_id}"
    if doc is not None:
        before = state_of(doc)
        effect = apply_return(
            before, share, purchase_id=event.purchase_id, at=event.occurred_at, cause=cause,
            policy=loyalty.policy.tiers, purchased_at=purchase["at"],
        )  # fmt: skip
        reversed_now = -effect.accrued_cents
        journal.account(before.client_id, *account_changes(before, effect.state))
        store, currency = purchase.get("store_id"), loyalty.policy.currency
        journal.ledger.extend(ledger_doc(e, currency, store) for e in effect.entries)
        for e in effect_events(
            effect, loyalty.policy.currency, event.purchase_id, "return_reversal"
        ):
            journal.event(e)
    journal.receipts.append(
        {"_id": f"return:{event.return_id}", "purchase_id": event.purchase_id,
         "event_id": str(event.event_id), "at": event.occurred_at, "amount_cents": money,
         "reversed_cents": reversed_now, "refunded_cents": share.redemption_cents,
         "uncollected_cents": share.accrual_cents - reversed_now}
    )  # fmt: skip
    journal.receipt_updates[purchase["_id"]] = {
        "returned_cents": int(purchase["returned_cents"]) + share.amount_cents,
        "reversed_cents": int(purchase["reversed_cents"]) + share.accrual_cents,
        "refunded_cents": int(purchase["refunded_cents"]) + share.redemption_cents,
        "returned_qty": quantities,
        # An unmatched purchase credited later names the returns it reverses at once.
        "return_events": [*purchase.get("return_events", ()), str(event.event_id)],
    }
    plan_return_reports(journal, purchase, money, cost, reversed_now)
    return journal


def plan_return_reports(
    journal: Journal, purchase: dict[str, Any], money: int, cost: int, bonus: int
) -> None:
    month = month_of(purchase["at"])
    economics = {"revenue_cents": -money, "cost_cents": -cost, "bonus_cents": -bonus}
    keys = [f"category:{purchase['category']}:{month}", f"store:{purchase['store_id']}:{month}"]
    if purchase.get("client_id"):
        keys += [f"client:{purchase['client_id']}:{month}", f"client:{purchase['client_id']}"]
    for key in keys:
        journal.report(key, economics)
    if purchase.get("employee_id"):
        share = Decimal(money) / Decimal(purchase["total_cents"] or 1)
        weighted = int(purchase.get("weighted_cents", purchase["total_cents"]))
        journal.report(
            f"employee:{purchase['employee_id']}:{month}",
            {"sales_cents": -money, "weighted_cents": -round(weighted * share)},
        )
