"""Loyalty's event handlers: load, decide, save; idempotent on event_id."""

from __future__ import annotations

import os
import signal

from services.loyalty.model import AccountNotFound, BonusAccount
from services.loyalty.repository import AccountRepository
from shared.contracts import ClientRegistered
from shared.logging import get_logger
from shared.messaging.idempotency import Inbox

log = get_logger(__name__)


async def open_account(
    event: ClientRegistered,
    repo: AccountRepository,
    inbox: Inbox,
    currency: str,
    crash_after_write: bool = False,
) -> None:
    key = str(event.event_id)
    if await inbox.already_applied(key, await repo.load_raw(event.client_id)):
        log.info("duplicate_event_ignored", client_id=event.client_id)
        return
    opened = await repo.open(event.client_id, currency, event.occurred_at, key)
    if crash_after_write:
        # Fault injection: die like a SIGKILL between the write and the offset commit.
        os.kill(os.getpid(), signal.SIGKILL)
    await inbox.remember([key])
    log.info(
        "bonus_account_opened" if opened else "bonus_account_exists", client_id=event.client_id
    )


async def get_account(repo: AccountRepository, client_id: str) -> BonusAccount:
    account = await repo.get(client_id)
    if account is None:
        raise AccountNotFound(client_id)
    return account
