"""Loyalty's client-event handlers: load, decide, save; idempotent on event_id."""

from __future__ import annotations

import os
import signal

from services.loyalty.accounts.model import (
    AccountNotFound,
    BonusAccount,
)
from services.loyalty.accounts.repository import AccountRepository, new_account_doc, state_of
from services.loyalty.clients.credit import plan_credit
from services.loyalty.context import Loyalty
from services.loyalty.journal import Journal
from services.loyalty.purchases.planning import account_changes
from services.loyalty.rules.model import rule_for
from shared.contracts import ClientRegistered
from shared.identity import reference_keys
from shared.logging import get_logger
from shared.messaging.idempotency import Inbox

log = get_logger(__name__)


def client_keys(client_id: str, card: str | None, phone: str | None, region: str) -> list[str]:
    return reference_keys(region, client_id, card, phone)


async def open_account(
    event: ClientRegistered,
    loyalty: Loyalty,
    inbox: Inbox,
    crash_after_write: bool = False,
) -> None:
    key, repo = str(event.event_id), loyalty.repo
    if await inbox.already_applied(key, await repo.load_raw(event.client_id)):
        log.info("duplicate_event_ignored", client_id=event.client_id)
        return
    extra = {
        "category": event.category,
        "birthday": event.birthday.isoformat() if event.birthday else None,
        "card_number": event.card_number,
        "phone": event.phone,
    }
    async with loyalty.journals.lock:
        opened = await repo.open(
            new_account_doc(
                event.client_id, loyalty.policy.currency, event.occurred_at, key, **extra
            )
        )
        keys = client_keys(event.client_id, event.card_number, event.phone, loyalty.policy.region)
        await repo.set_lookups(keys[1:], event.client_id)
        await repo.index_birthday(event.client_id, extra["birthday"])
        if opened:
            await repo.count_client(event.category, 1)
        if crash_after_write:
            # Fault injection: die like a SIGKILL between the write and the offset commit.
            os.kill(os.getpid(), signal.SIGKILL)
        await credit_unmatched(loyalty, event.client_id, keys)
    await inbox.remember([key])
    log.info(
        "bonus_account_opened" if opened else "bonus_account_exists", client_id=event.client_id
    )


async def credit_unmatched(loyalty: Loyalty, client_id: str, keys: list[str]) -> int:
    """Purchases made with this client's card/phone before they registered (lock held)."""
    repo = loyalty.repo
    purchase_ids = await repo.unmatched_for(keys)
    if not purchase_ids:  # the usual case: nothing bought before registering
        return 0
    receipts = await repo.receipts(f"purchase:{pid}" for pid in purchase_ids)
    waiting = sorted(
        (r for r in receipts.values() if r.get("match") == "unmatched"), key=lambda r: r["at"]
    )
    doc = await repo.load_raw(client_id)
    if doc is None:
        return 0
    journal = Journal()
    before = state = state_of(doc)
    rules = await repo.rules()
    for receipt in waiting:
        state = plan_credit(journal, loyalty, state, receipt, rule_for(state.category, rules))
    if state != before:
        journal.account(client_id, *account_changes(before, state))
    await loyalty.journals.commit(journal)
    await repo.clear_unmatched(keys)
    return len(waiting)


async def get_account(repo: AccountRepository, client_id: str) -> BonusAccount:
    account = await repo.get(client_id)
    if account is None:
        raise AccountNotFound(client_id)
    return account
