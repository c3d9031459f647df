"""Bonus that does not come from a purchase: goodwill, birthdays, manual adjustments,
expiry; and the open complaints that pause expiry and tier downgrades.

Each credit has a receipt key that makes it happen once: `grant:<grant_id>`,
`birthday:<client>:<year>`, `adjustment:<request id>`, `expiry:<client>:<YYYY-MM>`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from services.loyalty.accounts.handlers import track_complaint
from services.loyalty.accounts.model import (
    AccountNotFound,
    Effect,
    churn_risk,
    credit,
    expire,
    month_of,
)
from services.loyalty.accounts.repository import ledger_doc, state_of
from services.loyalty.bootstrap import Context
from services.loyalty.clients.repository import ClientIndexes
from services.loyalty.purchases.planning import Journal, account_changes, effect_events
from services.loyalty.rules.model import rule_for
from shared.contracts import to_minor_units
from shared.contracts.complaints import ComplaintFiled, ComplaintResolved, GoodwillGranted
from shared.contracts.loyalty import AccrualReason, ClientAtRisk
from shared.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class Credit:
    client_id: str
    receipt_id: str
    kind: str
    amount_cents: int
    at: datetime
    cause: str
    report_field: str
    event_reason: AccrualReason | None
    actor: str | None = None
    reason: str | None = None


def plan_effect(
    journal: Journal, loyalty: Context, doc: dict[str, Any], effect: Effect, c: Credit
) -> None:
    before = state_of(doc)
    journal.account(c.client_id, *account_changes(before, effect.state))
    journal.ledger.extend(ledger_doc(e, loyalty.policy.currency) for e in effect.entries)
    journal.receipts.append(
        {"_id": c.receipt_id, "client_id": c.client_id, "kind": c.kind, "at": c.at,
         "amount_cents": c.amount_cents, "actor": c.actor, "reason": c.reason}
    )  # fmt: skip
    month, category = month_of(c.at), before.category
    cost = {c.report_field: effect.entries[0].amount_cents if effect.entries else 0}
    for key in (f"category:{category}:{month}", f"client:{c.client_id}:{month}",
                f"client:{c.client_id}"):  # fmt: skip
        journal.report(key, cost)
    if c.event_reason:
        for event in effect_events(effect, loyalty.policy.currency, None, c.event_reason):
            journal.event(event)


async def apply_credit(loyalty: Context, c: Credit, arrived_on: int | None = None) -> bool:
    """Post one credit once; False when its receipt says it was already done. A replica
    that does not own the account hands it on to the one that does (accounts/owner.py;
    True: it will be applied there, once). `arrived_on`: the partition a handed-on
    credit came in."""
    store, repo = loyalty.unit_of_work, loyalty.repo
    async with store.lock:
        await store.replay_open(loyalty.owned())
        if await repo.receipts([c.receipt_id]):
            return False
        doc = await repo.load_raw(c.client_id)
        if doc is None or doc.get("merged_into"):
            raise AccountNotFound(c.client_id)
        if loyalty.owners.owns(doc, arrived_on):
            effect = credit(
                state_of(doc), c.kind, c.amount_cents, c.at, c.cause, actor=c.actor,
                reason=c.reason,
            )  # fmt: skip
            journal = Journal()
            plan_effect(journal, loyalty, doc, effect, c)
            # Once across replicas too: a job period another replica runs while this
            # one's run overruns its own plans the same credit at the same moment.
            return await loyalty.commit(journal, once=c.receipt_id)
    await loyalty.owners.hand_on(doc, "credit", asdict(c) | {"at": c.at.isoformat()})
    return True


def credit_of(details: dict[str, Any]) -> Credit:
    """A credit handed on (`apply_credit`), as it was."""
    return Credit(**(details | {"at": datetime.fromisoformat(details["at"])}))


async def grant_goodwill(loyalty: Context, event: GoodwillGranted) -> bool:
    return await apply_credit(
        loyalty,
        Credit(
            client_id=event.client_id, receipt_id=f"grant:{event.grant_id}", kind="goodwill",
            amount_cents=to_minor_units(event.amount), at=event.occurred_at,
            cause=f"goodwill.granted:{event.event_id}", report_field="goodwill_cents",
            event_reason="goodwill", reason=event.reason,
        ),
    )  # fmt: skip


async def adjust(
    loyalty: Context, client_id: str, amount_cents: int, actor: str, reason: str, request_id: str
) -> bool:
    """A manual adjustment by staff (with actor and reason); never below zero."""
    return await apply_credit(
        loyalty,
        Credit(
            client_id=client_id, receipt_id=f"adjustment:{request_id}", kind="adjustment",
            amount_cents=amount_cents, at=datetime.now(UTC), cause=f"adjustment:{request_id}",
            report_field="bonus_cents", event_reason="adjustment" if amount_cents > 0 else None,
            actor=actor, reason=reason,
        ),
    )  # fmt: skip


async def run_birthdays(loyalty: Context, today: date) -> int:
    """Credit every client whose birthday is `today`, once per year (run it twice: no-op)."""
    repo = loyalty.repo
    indexes = ClientIndexes(loyalty.store)
    ids = await indexes.birthday_clients(f"{today.month:02d}-{today.day:02d}")
    rules = await repo.rules()
    credited = 0
    for client_id in ids:
        doc = await repo.load_raw(client_id)
        if doc is None or doc.get("merged_into") or doc.get("erased"):
            continue
        amount = to_minor_units(rule_for(doc.get("category") or "regular", rules).birthday_bonus)
        if amount <= 0:
            continue
        receipt = f"birthday:{client_id}:{today.year}"
        at = datetime(today.year, today.month, today.day, tzinfo=UTC)
        done = await apply_credit(
            loyalty,
            Credit(client_id, receipt, "birthday", amount, at, receipt, "bonus_cents", "birthday"),
        )
        credited += int(done)
    log.info("birthdays_run", day=today.isoformat(), credited=credited)
    return credited


async def run_expiry(loyalty: Context, now: datetime) -> int:
    """Expire old unspent bonus (paused while a complaint is open); a scan: a job.
    Returns the accounts expired (here, or handed on to their owner to be)."""
    expired = 0
    for client_id in await loyalty.repo.clients_with_balance():
        expired += int(await expire_account(loyalty, client_id, now))
    log.info("expiry_run", at=now.isoformat(), accounts=expired)
    return expired


async def expire_account(
    loyalty: Context, client_id: str, now: datetime, arrived_on: int | None = None
) -> bool:
    """One account's expiry of the month `now` is in, once (its receipt), by its owner."""
    store, repo = loyalty.unit_of_work, loyalty.repo
    cause = f"expiry:{client_id}:{month_of(now)}"
    async with store.lock:
        doc = await repo.load_raw(client_id)
        if doc is None or await repo.receipts([cause]):
            return False
        effect = expire(state_of(doc), now, loyalty.policy.expiry_months, cause)
        if not effect.entries:  # nothing to expire: nothing to hand on either
            return False
        if loyalty.owners.owns(doc, arrived_on):
            journal = Journal()
            amount = effect.entries[0].amount_cents
            c = Credit(client_id, cause, "expiry", amount, now, cause, "bonus_cents", None)
            plan_effect(journal, loyalty, doc, effect, c)
            return await loyalty.commit(journal, once=cause)
    await loyalty.owners.hand_on(doc, "expiry", {"at": now.isoformat()})
    return True


async def complaint_opened(loyalty: Context, event: ComplaintFiled) -> None:
    await track_complaint(loyalty, event.client_id, event.complaint_id, open_=True)


async def complaint_closed(loyalty: Context, event: ComplaintResolved) -> None:
    await track_complaint(loyalty, event.client_id, event.complaint_id, open_=False)


async def run_churn(loyalty: Context, today: date) -> int:
    """`client.at_risk` once per client and last purchase (the receipt says so)."""
    store, repo, flagged = loyalty.unit_of_work, loyalty.repo, 0
    for doc in await repo.clients_with_rhythm():
        risk = churn_risk(tuple(doc["purchase_days"]), today, loyalty.policy.churn_factor)
        if risk is None:
            continue
        receipt = f"at_risk:{doc['_id']}:{risk.last_purchase.isoformat()}"
        async with store.lock:
            if await repo.receipts([receipt]):
                continue
            journal = Journal()
            journal.receipts.append(
                {"_id": receipt, "client_id": doc["_id"], "at": today.isoformat()}
            )
            journal.event(ClientAtRisk(
                client_id=doc["_id"],
                last_purchase_at=datetime.combine(risk.last_purchase, datetime.min.time(), UTC),
                median_gap_days=float(risk.median_gap_days), overdue_days=float(risk.overdue_days),
            ))  # fmt: skip
            await loyalty.commit(journal)
            flagged += 1
    log.info("churn_run", day=today.isoformat(), flagged=flagged)
    return flagged
