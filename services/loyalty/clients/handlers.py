"""What loyalty keeps of the registry's clients: category, card, phone, birthday; merges
and erasures. Updates are `$set`s (a redelivery changes nothing); a merge is a
journal with the receipt `merge:<merged_id>`, so it happens once.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from services.loyalty.accounts.handlers import PERSONAL, credit_waiting, set_fields
from services.loyalty.accounts.model import AccountState, add_spend, post
from services.loyalty.accounts.repository import ledger_doc, state_of
from services.loyalty.bootstrap import Context
from services.loyalty.clients.repository import ClientIndexes
from services.loyalty.purchases.planning import Journal, account_changes
from shared.contracts.registry import ClientErased, ClientMerged, ClientUpdated
from shared.identity import reference_keys
from shared.logging import get_logger

log = get_logger(__name__)

KEPT_FIELDS = ("category", "card_number", "phone", "birthday")


def stored_keys(fields: dict[str, Any], region: str) -> list[str]:
    """The card and phone lookups of an account (or of a change to one)."""
    card, phone = fields.get("card_number"), fields.get("phone")
    return reference_keys(region, None, str(card) if card else None, str(phone) if phone else None)


async def update_client(loyalty: Context, event: ClientUpdated) -> None:
    changed = {k: v for k, v in event.changed.items() if k in KEPT_FIELDS}
    if not changed:
        return
    repo = loyalty.repo
    async with loyalty.unit_of_work.lock:
        doc = await repo.load_raw(event.client_id)
        if doc is None:
            log.info("update_for_unknown_client", client_id=event.client_id)
            return
        old_category, new_category = doc.get("category") or "regular", changed.get("category")
        moved = bool(new_category) and new_category != old_category
        counted = {old_category: -1, str(new_category): 1} if moved else {}
        keys = stored_keys(changed, loyalty.policy.region)
        birthday = str(changed["birthday"]) if changed.get("birthday") else None
        shard = await loyalty.shards.current()
        await ClientIndexes(loyalty.store).index(event.client_id, keys, birthday, counted, shard)
    await set_fields(loyalty, event.client_id, changed)  # by the account's owner
    if keys:  # a card or phone bound now may have paid before: credit what waited for it
        await credit_waiting(loyalty, event.client_id)


def plan_merge(
    survivor: AccountState, merged: AccountState, event: ClientMerged, currency: str
) -> Journal:
    """The merged balance leaves one ledger and enters the other; spend moves too."""
    at, cause = event.occurred_at, f"client.merged:{event.event_id}"
    journal = Journal()
    new_survivor, new_merged = survivor, merged
    entries = []
    if merged.balance_cents:
        reason = f"merged from {merged.client_id}"
        new_merged, out = post(
            merged,
            "adjustment",
            -merged.balance_cents,
            at,
            cause,
            actor=event.actor,
            reason=f"merged into {survivor.client_id}",
        )
        new_survivor, into = post(survivor, "adjustment", merged.balance_cents, at, cause,
                                  actor=event.actor, reason=reason)  # fmt: skip
        entries = [out, into]
    for month, cents in merged.spend_by_month.items():
        new_survivor = add_spend(new_survivor, cents, _month_start(month))
        new_merged = add_spend(new_merged, -cents, _month_start(month))
    new_survivor = replace(new_survivor, open_complaints=survivor.open_complaints)
    journal.account(survivor.client_id, *account_changes(survivor, new_survivor))
    changes, fields = account_changes(merged, new_merged)
    journal.account(merged.client_id, changes, fields | {"merged_into": survivor.client_id})
    journal.ledger.extend(ledger_doc(e, currency) for e in entries)
    journal.receipts.append({"_id": f"merge:{merged.client_id}", "survivor_id": survivor.client_id,
                             "at": at, "moved_cents": merged.balance_cents})  # fmt: skip
    return journal


def _month_start(month: str) -> datetime:
    year, mon = (int(x) for x in month.split("-"))
    return datetime(year, mon, 1, tzinfo=UTC)


async def merge_clients(loyalty: Context, event: ClientMerged) -> None:
    store, repo = loyalty.unit_of_work, loyalty.repo
    async with store.lock:
        await store.replay_open(loyalty.owned())
        if await repo.receipts([f"merge:{event.merged_id}"]):
            return
        docs = await repo.load_many([event.survivor_id, event.merged_id])
        if event.survivor_id not in docs or event.merged_id not in docs:
            log.info("merge_without_accounts", survivor=event.survivor_id, merged=event.merged_id)
            return
        merged_doc = docs[event.merged_id]
        journal = plan_merge(
            state_of(docs[event.survivor_id]), state_of(merged_doc), event, loyalty.policy.currency
        )
        for key in stored_keys(merged_doc, loyalty.policy.region):
            journal.lookups[key] = {"client_id": event.survivor_id}
        await loyalty.commit(journal)
        await repo.add_merged_from(event.survivor_id, event.merged_id)


async def erase_client(loyalty: Context, event: ClientErased) -> None:
    """Personal data goes (card, phone, birthday, lookups); anonymous money history stays."""
    repo = loyalty.repo
    async with loyalty.unit_of_work.lock:
        doc = await repo.load_raw(event.client_id)
        if doc is None:
            return
        await repo.delete_lookups(stored_keys(doc, loyalty.policy.region))
    erased = dict.fromkeys(PERSONAL) | {"erased": True}
    await set_fields(loyalty, event.client_id, erased)
