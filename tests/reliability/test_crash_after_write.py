"""Loyalty dies after its write and before the offset commit; nothing is lost or doubled."""

from __future__ import annotations

import signal
from collections.abc import Callable
from typing import Any

from pymongo import AsyncMongoClient

from shared.contracts import ClientRegistered
from tests.conftest import Slate
from tests.support.kafka import eventually, produce
from tests.support.processes import ServiceProcess


async def test_killed_between_write_and_commit_the_account_exists_exactly_once(
    slate: Slate, spawn: Callable[..., ServiceProcess], mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("loyalty")]
    doomed = spawn("loyalty", {"LOYALTY_CRASH_AFTER_WRITE": "true"})
    doomed.wait_healthy()
    event = ClientRegistered(client_id="crash-1", name="Ada")
    await produce(
        slate.infra.kafka,
        slate.topic(event.TOPIC),
        event.model_dump_json().encode(),
        key=b"crash-1",
    )

    assert doomed.wait_exit(timeout_s=60) == -signal.SIGKILL
    assert await db.accounts.count_documents({"_id": "crash-1"}) == 1  # the write happened

    survivor = spawn("loyalty")
    survivor.wait_healthy()

    async def redelivery_recognised() -> bool:
        return "duplicate_event_ignored" in survivor.log_text()

    await eventually(redelivery_recognised, timeout_s=60)
    assert await db.accounts.count_documents({}) == 1
    account = await db.accounts.find_one({"_id": "crash-1"})
    assert account is not None and account["balance_cents"] == 0
