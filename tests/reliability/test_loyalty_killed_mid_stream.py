"""The loyalty process is killed with SIGKILL at random moments during a purchase
stream and restarted each time: final balances equal the expected ones (0 lost, 0
counted twice), and every purchase's bonus.accrued was published."""

from __future__ import annotations

import asyncio
import random
import signal
import time
from collections.abc import Callable
from typing import Any

from pymongo import AsyncMongoClient

from bench.purchase_data import LOYALTY_ENV, purchase
from shared.contracts.loyalty import BonusAccrued
from shared.contracts.pos import PurchaseRecorded
from tests.conftest import Slate
from tests.reliability.purchases import (
    all_counted,
    compare,
    counted,
    duplicates_ignored,
    open_accounts,
    send_all,
)
from tests.reliability.sizing import report, scaled
from tests.support.kafka import eventually, payloads, read_topic
from tests.support.processes import ServiceProcess


async def test_loyalty_killed_at_random_moments_loses_and_doubles_nothing(
    slate: Slate, spawn: Callable[..., ServiceProcess], mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    total, client_count, kills = scaled(3_000, 50_000), scaled(100, 2_000), scaled(3, 10)
    rng = random.Random()
    loyalty = spawn("loyalty", LOYALTY_ENV)
    await asyncio.to_thread(loyalty.wait_healthy)
    db = mongo[slate.db_name("loyalty")]
    await open_accounts(slate, db, client_count, timeout_s=180)
    started = time.monotonic()
    stream = asyncio.create_task(
        send_all(
            slate.infra.kafka,
            slate.topic(PurchaseRecorded.TOPIC),
            (purchase(n, client_count, "kill") for n in range(total)),
        )
    )
    # Random moments spread over the whole stream: after a random number of purchases
    # were counted, plus a random fraction of a batch's time.
    counted_at_kill = []
    for threshold in sorted(rng.sample(range(total // 20, total * 9 // 10), kills)):

        async def reached(threshold: int = threshold) -> bool:
            return await counted(db) >= threshold

        await eventually(reached, timeout_s=600, interval_s=0.5)
        await asyncio.sleep(rng.uniform(0, 0.5))
        assert loyalty.proc is not None
        loyalty.proc.send_signal(signal.SIGKILL)
        assert await asyncio.to_thread(loyalty.proc.wait) == -signal.SIGKILL
        counted_at_kill.append(await counted(db))
        print(f"killed at {counted_at_kill[-1]}", flush=True)
        loyalty.start()
        await asyncio.to_thread(loyalty.wait_healthy, 120)
    await stream

    await all_counted(db, total, timeout_s=900)

    async def journals_done() -> bool:
        return await db.journals.count_documents({}) == 0

    await eventually(journals_done, timeout_s=60)
    seconds = time.monotonic() - started
    figures = await compare(db, total, client_count)
    accrued = payloads(
        await read_topic(
            slate.infra.kafka, slate.topic(BonusAccrued.TOPIC), expect=total, timeout_s=120
        )
    )
    report(
        "loyalty SIGKILLed mid-stream",
        purchases=total,
        clients=client_count,
        kills=kills,
        counted_at_each_kill=counted_at_kill,
        receipts=await db.receipts.count_documents({}),
        ledger_entries=await db.ledger.count_documents({}),
        redeliveries_recognised=duplicates_ignored(loyalty),
        bonus_accrued_events=len(accrued),
        bonus_accrued_purchases=len({p["purchase_id"] for p in accrued}),
        seconds=round(seconds, 1),
        **figures,
    )
    assert figures == {"exact": client_count, "short": 0, "over": 0}
    assert await db.receipts.count_documents({}) == total
    assert await db.ledger.count_documents({}) == total
    assert len({p["purchase_id"] for p in accrued}) == total  # none lost on the way out
    assert len({p["event_id"] for p in accrued}) == total  # a re-publish reuses its event_id
