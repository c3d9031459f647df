"""Every purchase sent three times (a redelivery and a POS resend with a new event_id):
every balance is exact."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from pymongo import AsyncMongoClient

from bench.purchase_data import LOYALTY_ENV, purchase
from shared.contracts.pos import PurchaseRecorded
from tests.conftest import Slate
from tests.reliability.purchases import (
    all_counted,
    compare,
    duplicates_ignored,
    open_accounts,
    send_all,
)
from tests.reliability.sizing import report, scaled
from tests.support.kafka import eventually
from tests.support.processes import ServiceProcess


async def test_every_purchase_sent_three_times_counts_once_and_every_balance_is_exact(
    slate: Slate, spawn: Callable[..., ServiceProcess], mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    total, client_count = scaled(3_000, 10_000), scaled(100, 1_000)
    loyalty = spawn("loyalty", LOYALTY_ENV)
    loyalty.wait_healthy()
    db = mongo[slate.db_name("loyalty")]
    await open_accounts(slate, db, client_count, timeout_s=120)
    once = [purchase(n, client_count, "p3") for n in range(total)]
    again = once[:]  # the same event_id: a redelivery
    random.Random(7).shuffle(again)
    resent = [purchase(n, client_count, "p3", copy=1) for n in range(total)]  # new event_id
    started = time.monotonic()
    sent = await send_all(
        slate.infra.kafka, slate.topic(PurchaseRecorded.TOPIC), once + again + resent
    )

    await all_counted(db, total, timeout_s=600)
    seconds = time.monotonic() - started

    # The copies come after the originals; wait until the consumer has passed them all.
    async def copies_ignored() -> bool:
        return duplicates_ignored(loyalty) >= 2 * total

    await eventually(copies_ignored, timeout_s=300)
    figures = await compare(db, total, client_count)
    report(
        "purchases sent 3 times",
        purchases=total,
        events_sent=sent,
        clients=client_count,
        receipts=await db.receipts.count_documents({}),
        ledger_entries=await db.ledger.count_documents({}),
        duplicates_ignored=duplicates_ignored(loyalty),
        seconds=round(seconds, 1),
        **figures,
    )
    assert figures == {"exact": client_count, "short": 0, "over": 0}
    assert await db.receipts.count_documents({}) == total
    assert await db.ledger.count_documents({}) == total
