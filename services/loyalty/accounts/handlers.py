"""Loyalty's client-event handlers: load, decide, save; idempotent on event_id."""

from __future__ import annotations

import os
import signal
from typing import Any

from services.loyalty.accounts.model import (
    AccountNotFound,
    BonusAccount,
)
from services.loyalty.accounts.repository import AccountRepository, new_account_doc, state_of
from services.loyalty.bootstrap import Context
from services.loyalty.clients.credit import plan_credit
from services.loyalty.clients.repository import ClientIndexes
from services.loyalty.purchases.planning import Journal, account_changes
from services.loyalty.rules.model import rule_for
from shared.contracts import ClientRegistered
from shared.identity import reference_keys
from shared.logging import get_logger

log = get_logger(__name__)

PERSONAL = ("card_number", "phone", "birthday")


def client_keys(client_id: str, card: str | None, phone: str | None, region: str) -> list[str]:
    return reference_keys(region, client_id, card, phone)


async def open_account(
    event: ClientRegistered, loyalty: Context, crash_after_write: bool = False
) -> None:
    """Three store commands when nothing waited for the client (issue 15): the account
    upsert (the account is its own dedup record: a repeat finds it), one bulk write of
    its lookups, birthday index and category count, one probe of `unmatched`.

    A repeat writes the lookups again (`$set`s, a set) but counts nothing; a crash
    between the account and its bulk write is redelivered and writes them then, but
    leaves the category's client count one short."""
    key, repo, region = str(event.event_id), loyalty.repo, loyalty.policy.region
    birthday = event.birthday.isoformat() if event.birthday else None
    extra = {"category": event.category, "birthday": birthday,
             "card_number": event.card_number, "phone": event.phone}  # fmt: skip
    keys = client_keys(event.client_id, event.card_number, event.phone, region)
    indexes = ClientIndexes(loyalty.store)
    async with loyalty.unit_of_work.lock:
        doc = new_account_doc(event.client_id, loyalty.policy.currency, event.occurred_at, key)
        opened = await repo.open(doc | extra)
        counted = {event.category: 1} if opened else {}
        shard = await loyalty.shards.current()
        await indexes.index(event.client_id, keys[1:], birthday, counted, shard)
        if crash_after_write:
            # Fault injection: die like a SIGKILL between the write and the offset commit.
            os.kill(os.getpid(), signal.SIGKILL)
        # After the lookups: a purchase that missed them has parked itself by now.
        waiting = await indexes.waiting_under(keys)
    if waiting:  # rare: bought before registering
        await credit_waiting(loyalty, event.client_id)
    log.info(
        "bonus_account_opened" if opened else "duplicate_event_ignored", client_id=event.client_id
    )


async def credit_waiting(loyalty: Context, client_id: str, arrived_on: int | None = None) -> int:
    """Purchases made with this client's card or phone before they were known: credited
    by the replica that owns the account (accounts/owner.py), handed on by another."""
    async with loyalty.unit_of_work.lock:
        doc = await loyalty.repo.load_raw(client_id)
        if doc is None:
            return 0
        if loyalty.owners.owns(doc, arrived_on):
            card, phone = doc.get("card_number"), doc.get("phone")
            keys = client_keys(client_id, card, phone, loyalty.policy.region)
            return await credit_unmatched(loyalty, doc, keys)
    await loyalty.owners.hand_on(doc, "unmatched", {})
    return 0


async def credit_unmatched(loyalty: Context, doc: dict[str, Any], keys: list[str]) -> int:
    """What waits under `keys`, credited to the account `doc` (lock held, owner)."""
    repo, client_id = loyalty.repo, doc["_id"]
    purchase_ids = await repo.unmatched_for(keys)
    if not purchase_ids:  # the usual case: nothing bought before registering
        return 0
    receipts = await repo.receipts(f"purchase:{pid}" for pid in purchase_ids)
    waiting = sorted(
        (r for r in receipts.values() if r.get("match") == "unmatched"), key=lambda r: r["at"]
    )
    journal = Journal()
    before = state = state_of(doc)
    rules = await repo.rules()
    for receipt in waiting:
        state = plan_credit(journal, loyalty, state, receipt, rule_for(state.category, rules))
    if state != before:
        journal.account(client_id, *account_changes(before, state))
    await loyalty.commit(journal)
    await repo.clear_unmatched(keys)
    return len(waiting)


async def set_fields(
    loyalty: Context, client_id: str, fields: dict[str, Any], arrived_on: int | None = None
) -> bool:
    """`$set` on the account by its owner (handed on by another); False: no account."""
    async with loyalty.unit_of_work.lock:
        doc = await loyalty.repo.load_raw(client_id)
        if doc is None:
            return False
        if doc.get("erased"):  # a change that arrives after the erasure keeps nothing personal
            fields = {k: v for k, v in fields.items() if k not in PERSONAL}
        if loyalty.owners.owns(doc, arrived_on):
            await loyalty.repo.set_fields(client_id, fields)
            return True
    await loyalty.owners.hand_on(doc, "fields", {"set": fields})
    return True


async def track_complaint(
    loyalty: Context, client_id: str, complaint_id: str, open_: bool, arrived_on: int | None = None
) -> None:
    """An open complaint pauses expiry and tier downgrades; written by the owner."""
    async with loyalty.unit_of_work.lock:
        doc = await loyalty.repo.load_raw(client_id)
        if doc is None or loyalty.owners.owns(doc, arrived_on):  # none: nothing to pause
            await loyalty.repo.track_complaint(client_id, complaint_id, open_=open_)
            return
    details = {"complaint_id": complaint_id, "open": open_}
    await loyalty.owners.hand_on(doc, "complaint", details)


async def get_account(repo: AccountRepository, client_id: str) -> BonusAccount:
    account = await repo.get(client_id)
    if account is None:
        raise AccountNotFound(client_id)
    return account
