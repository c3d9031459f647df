"""`purchase.recorded`, a Kafka batch at a time (a batch route of the message pipeline,
shared/messaging/pipeline.py, which has decoded the records, parked the bad ones and
kept the first per `purchase_id`): dedup, read, compute, one unit of work.

1. A client phone that is not a phone number is refused (the DLQ, docs/identity.md).
2. Duplicates: the pipeline's claim on `purchase_id` says which purchases were never
   handled; only the others (a redelivery, the POS resending with a new `event_id`)
   have their receipt `purchase:<id>` read: one that exists means "already counted".
3. Concurrent point reads: card/phone lookups, accounts, rules.
4. Pure computation (accounts/model.py) per client in arrival order.
5. One unit of work (shared/store/unit_of_work.py): the plan as one journal, one bulk
   write per collection, the events through the outbox.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

from services.loyalty.accounts.model import AccountState, Effect, apply_purchase, month_of
from services.loyalty.accounts.owner import HOME
from services.loyalty.accounts.repository import AccountRepository, state_of
from services.loyalty.bootstrap import Context, Policy
from services.loyalty.purchases.planning import (
    Journal,
    account_changes,
    effect_events,
    ledger_docs,
    purchase_receipt,
    purchase_reports,
)
from services.loyalty.returns.waiting import waiting_for
from services.loyalty.rules.model import CategoryRule, rule_for
from shared.contracts import to_minor_units
from shared.contracts.pos import ClientRef, PurchaseRecorded
from shared.identity import reference_keys
from shared.logging import get_logger
from shared.messaging.dead_letters import describe
from shared.messaging.pipeline import (
    Outcome,
    event_scope,
    first_sight,
    partition_of,
    partitions_of,
)

log = get_logger(__name__)


# Which client a purchase belongs to: client id, else card number, else phone, through
# loyalty's own lookup documents (`card:<n>`, `phone:<e164>` -> client id, written from
# `client.registered`/`client.updated`): point reads only. The keys are built by
# `shared.identity`, as in every service; a phone that cannot be read raises
# `InvalidPhone` (the purchase is refused, docs/identity.md).


def identity_keys(ref: ClientRef | None, region: str) -> list[str]:
    """The keys a client reference names, most specific first."""
    if ref is None:
        return []
    return reference_keys(region, ref.client_id, ref.card_number, ref.phone)


async def resolve_keys(repo: AccountRepository, keys: set[str]) -> dict[str, str]:
    direct = {k: k.removeprefix("client:") for k in keys if k.startswith("client:")}
    looked_up = await repo.lookup_many(k for k in keys if not k.startswith("client:"))
    return direct | looked_up


async def resolve_owners(
    repo: AccountRepository, purchases: Sequence[PurchaseRecorded], region: str
) -> dict[str, str | None]:
    """purchase_id -> client id (None: anonymous or not known yet)."""
    keys = {p.purchase_id: identity_keys(p.client, region) for p in purchases}
    found = await resolve_keys(repo, {k for ks in keys.values() for k in ks})
    return {pid: next((found[k] for k in ks if k in found), None) for pid, ks in keys.items()}


def readable(
    purchases: Sequence[PurchaseRecorded], region: str, outcome: Outcome
) -> list[PurchaseRecorded]:
    """The purchases whose client reference can be read; the others are refused."""
    valid = []
    for p in purchases:
        try:
            identity_keys(p.client, region)  # InvalidPhone: refused, never guessed
            valid.append(p)
        except ValueError as exc:
            outcome.reject(p, describe(exc))
    return valid


async def record_purchases(loyalty: Context, purchases: Sequence[PurchaseRecorded]) -> Outcome:
    """One batch; the keys it makes known are the `purchase:<id>` that returns wait for."""
    outcome = Outcome()
    valid = readable(purchases, loyalty.policy.region, outcome)
    store, repo = loyalty.unit_of_work, loyalty.repo
    started = time.perf_counter()
    async with store.lock:
        await store.replay_open()
        began = await repo.claims_began()  # older purchases may have no claim
        again = [
            f"purchase:{p.purchase_id}"
            for p in valid
            if not first_sight(p) or p.occurred_at < began
        ]
        seen = await repo.receipts(again)
        fresh = [p for p in valid if f"purchase:{p.purchase_id}" not in seen]
        if seen:
            log.info("duplicate_purchases_ignored", count=len(seen))
        owners = await resolve_owners(repo, fresh, loyalty.policy.region)
        docs = await repo.load_many({c for c in owners.values() if c})
        rules = await repo.rules()
        # ~0.2 ms of CPU per purchase: in the event loop a batch of 500 held off every
        # request (a readiness probe too) for 100 ms, many times that on a busy host.
        # In a worker thread the interpreter hands the loop its turn every few ms.
        homes = {p.purchase_id: partition_of(p) for p in fresh}
        journal = await asyncio.to_thread(
            plan_purchases, fresh, owners, docs, rules, loyalty.policy, homes
        )
        journal.partitions = partitions_of(purchases)
        planned = time.perf_counter()
        await loyalty.commit(journal)
    # Returns that came first wait for their purchase (returns/handlers.py): released
    # after the commit; a return parked meanwhile finds the receipt itself.
    outcome.know(await waiting_for(loyalty, [p.purchase_id for p in valid]))
    log.info(
        "purchase_batch", purchases=len(purchases), counted=len(fresh), read_again=len(again),
        read_ms=round((planned - started) * 1000),
        write_ms=round((time.perf_counter() - planned) * 1000),
    )  # fmt: skip
    return outcome


def plan_purchases(
    purchases: Sequence[PurchaseRecorded],
    owners: dict[str, str | None],
    docs: dict[str, dict[str, Any]],
    rules: dict[str, CategoryRule],
    policy: Policy,
    homes: dict[str, int | None] | None = None,
) -> Journal:
    """Pure: what a batch writes, given what was read (each purchase planned in its own
    trace and correlation id, which the events it causes carry on). `homes`: the
    partition each purchase came in; an account keeps its last purchase's as its home
    (accounts/owner.py)."""
    journal, homes = Journal(), homes or {}
    before = {cid: state_of(doc) for cid, doc in docs.items()}
    states, home = dict(before), dict[str, int]()
    for p in purchases:
        client_id = owners.get(p.purchase_id)
        if client_id is None or client_id not in states:
            plan_unowned(journal, p, policy)
            continue
        effect = purchase_effect(states[client_id], p, rules, policy)
        states[client_id] = effect.state
        if (partition := homes.get(p.purchase_id)) is not None:
            home[client_id] = partition
        with event_scope(p):
            plan_effect(journal, p, effect, policy, states[client_id].category)
    for client_id, state in states.items():
        if state != before[client_id]:
            inc, fields = account_changes(before[client_id], state)
            partition = home.get(client_id, docs[client_id].get(HOME))
            if partition is not None:
                fields |= {HOME: partition}
            journal.account(client_id, inc, fields)
    return journal


def purchase_effect(
    state: AccountState, p: PurchaseRecorded, rules: dict[str, CategoryRule], policy: Policy
) -> Effect:
    return apply_purchase(
        state,
        purchase_id=p.purchase_id,
        total_cents=to_minor_units(p.total),
        requested_cents=to_minor_units(p.bonus_redeemed),
        at=p.occurred_at,
        cause=f"purchase.recorded:{p.event_id}",
        rule=rule_for(state.category, rules),
        policy=policy.tiers,
        max_share=policy.max_share,
    )


def plan_effect(
    journal: Journal, p: PurchaseRecorded, effect: Effect, policy: Policy, category: str
) -> None:
    client_id = effect.state.client_id
    journal.ledger.extend(ledger_docs(effect, policy.currency, p.store_id))
    journal.receipts.append(
        purchase_receipt(p, client_id, "client", category, effect, policy.weights)
    )
    for key, inc in purchase_reports(p, client_id, category, effect.accrued_cents, policy):
        journal.report(key, inc)
    index_purchase(journal, p)
    for event in effect_events(effect, policy.currency, p.purchase_id, "purchase"):
        journal.event(event)


def plan_unowned(journal: Journal, p: PurchaseRecorded, policy: Policy) -> None:
    """Anonymous sales count for store/employee reports; unknown cards wait for a client."""
    keys = identity_keys(p.client, policy.region)
    kind = "unmatched" if keys else "anonymous"
    journal.receipts.append(purchase_receipt(p, None, kind, kind, None, policy.weights))
    for key, inc in purchase_reports(p, None, kind, 0, policy):
        journal.report(key, inc)
    index_purchase(journal, p)
    # It waits under every key it names: whichever becomes known first credits it
    # (handlers.credit_unmatched), and then its receipt no longer says `unmatched`.
    journal.unmatched.extend({"_id": key, "purchase_id": p.purchase_id} for key in keys)


def index_purchase(journal: Journal, p: PurchaseRecorded) -> None:
    """Which employees and stores a month's reports have (read by the report API)."""
    month = month_of(p.occurred_at)
    journal.indexes.add((f"stores:{month}", p.store_id))
    if p.employee_id:
        journal.indexes.add((f"employees:{month}", p.employee_id))
