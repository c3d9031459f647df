"""`purchase.recorded` in batches: validate, dedup, read, compute, one journal, publish.

1. Each record is validated on its own; a bad one (including a client phone that is
   not a phone number: docs/identity.md) is parked in `<topic>.dlq` with the error
   and the rest of the batch goes on.
2. Duplicates: the first record per `purchase_id` in the batch wins; then a receipt
   `purchase:<id>` that already exists means "already counted" (whatever the
   `event_id`, however often redelivered).
3. Concurrent point reads: receipts, card/phone lookups, accounts, rules.
4. Pure computation (model.py) per client in arrival order.
5. One journal, one bulk write per collection, events published (journal.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

from aiokafka import ConsumerRecord
from pydantic import ValidationError

from services.loyalty.accounts.model import AccountState, Effect, apply_purchase, month_of
from services.loyalty.accounts.repository import state_of
from services.loyalty.context import Loyalty, Policy
from services.loyalty.journal import Journal
from services.loyalty.purchases.matching import identity_keys, resolve_owners
from services.loyalty.purchases.planning import (
    account_changes,
    effect_events,
    ledger_docs,
    purchase_receipt,
    purchase_reports,
)
from services.loyalty.rules.model import CategoryRule, rule_for
from shared import tracing
from shared.contracts import to_minor_units
from shared.contracts.pos import PurchaseRecorded
from shared.logging import get_logger
from shared.messaging.dead_letters import describe, park

log = get_logger(__name__)

Record: TypeAlias = "ConsumerRecord[Any, Any]"


def decode(
    records: Sequence[Record], region: str
) -> tuple[list[tuple[Record, PurchaseRecorded]], list[tuple[Record, str]]]:
    """Valid purchases (with their records) in arrival order, and the records that are not."""
    valid: list[tuple[Record, PurchaseRecorded]] = []
    bad: list[tuple[Record, str]] = []
    for record in records:
        try:
            purchase = PurchaseRecorded.model_validate_json(record.value or b"")
            identity_keys(purchase.client, region)  # InvalidPhone: parked, never guessed
            valid.append((record, purchase))
        except (ValidationError, ValueError) as exc:
            bad.append((record, describe(exc)))
    return valid, bad


def first_of_each(purchases: Sequence[PurchaseRecorded]) -> list[PurchaseRecorded]:
    seen: set[str] = set()
    unique = []
    for p in purchases:
        if p.purchase_id not in seen:
            seen.add(p.purchase_id)
            unique.append(p)
    return unique


def partitions_of(records: Sequence[Record]) -> list[str]:
    return sorted({f"{r.topic}:{r.partition}" for r in records})


async def record_purchases(
    loyalty: Loyalty, records: Sequence[Record], owned: set[str] | None
) -> list[str]:
    """Process one batch; returns the ids of its purchases, counted now or before (a
    return waiting for one of them is released by the caller)."""
    decoded, bad = decode(records, loyalty.policy.region)
    purchases = [p for _, p in decoded]
    for record, reason in bad:
        await park(loyalty.dead_letters, record, reason, "loyalty")
    store, repo = loyalty.journals, loyalty.repo
    started = time.perf_counter()
    # A span per purchase in the trace its POS started (when tracing is on): the events
    # a purchase causes are planned in its context and so continue that trace.
    with tracing.consumer_spans([r for r, _ in decoded]) as kept:
        traces = {p.purchase_id: t for (_, p), t in reversed(list(zip(decoded, kept, strict=True)))}
        async with store.lock:
            await store.replay_open(owned)
            unique = first_of_each(purchases)
            seen = await repo.receipts(f"purchase:{p.purchase_id}" for p in unique)
            fresh = [p for p in unique if f"purchase:{p.purchase_id}" not in seen]
            if len(fresh) < len(purchases):
                log.info("duplicate_purchases_ignored", count=len(purchases) - len(fresh))
            owners = await resolve_owners(repo, fresh, loyalty.policy.region)
            docs = await repo.load_many({c for c in owners.values() if c})
            rules = await repo.rules()
            # ~0.2 ms of CPU per purchase: in the event loop a batch of 500 held off every
            # request (a readiness probe too) for 100 ms, many times that on a busy host.
            # In a worker thread the interpreter hands the loop its turn every few ms.
            journal = await asyncio.to_thread(
                plan_purchases, fresh, owners, docs, rules, loyalty.policy, traces
            )
            journal.partitions = partitions_of(records)
            planned = time.perf_counter()
            await store.commit(journal)
    done = time.perf_counter()
    log.info(
        "purchase_batch", records=len(records), counted=len(fresh), parked=len(bad),
        read_ms=round((planned - started) * 1000), write_ms=round((done - planned) * 1000),
    )  # fmt: skip
    return [p.purchase_id for p in unique]


def plan_purchases(
    purchases: Sequence[PurchaseRecorded],
    owners: dict[str, str | None],
    docs: dict[str, dict[str, Any]],
    rules: dict[str, CategoryRule],
    policy: Policy,
    traces: Mapping[str, Mapping[str, str]] | None = None,
) -> Journal:
    """Pure: what a batch writes, given what was read (`traces`: each purchase's
    trace context by purchase id, for the events it causes)."""
    journal = Journal()
    before = {cid: state_of(doc) for cid, doc in docs.items()}
    states = dict(before)
    for p in purchases:
        client_id = owners.get(p.purchase_id)
        if client_id is None or client_id not in states:
            plan_unowned(journal, p, policy)
            continue
        effect = purchase_effect(states[client_id], p, rules, policy)
        states[client_id] = effect.state
        with tracing.within((traces or {}).get(p.purchase_id)):
            plan_effect(journal, p, effect, policy, states[client_id].category)
    for client_id, state in states.items():
        if state != before[client_id]:
            journal.account(client_id, *account_changes(before[client_id], state))
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
