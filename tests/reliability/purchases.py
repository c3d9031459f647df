"""Helpers for the purchase reliability tests: load the stream, compare balances."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from pymongo.asynchronous.database import AsyncDatabase

from bench.purchase_data import clients, expected_balances
from services.loyalty.accounts.model import month_of
from services.loyalty.reports.shards import all_shards, summed
from shared.contracts import ClientRegistered
from tests.conftest import Slate
from tests.support.kafka import eventually
from tests.support.processes import ServiceProcess

Throttle = Callable[[int], Awaitable[None]]


async def send_all(
    bootstrap: str,
    topic: str,
    records: Iterable[tuple[bytes, bytes]],
    throttle: Throttle | None = None,
) -> int:
    """Publish every record; `throttle(sent)`, awaited every 250 records, may hold the
    stream back (a test that kills consumers keeps it from running far ahead)."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=5)
    await producer.start()
    sent = 0
    try:
        pending = []
        for key, value in records:
            if throttle is not None and sent % 250 == 0:
                await throttle(sent)
            pending.append(await producer.send(topic, value, key=key))
            sent += 1
            if len(pending) >= 2000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return sent


async def counted(db: AsyncDatabase[dict[str, Any]]) -> int:
    """Purchases counted so far, from the store report summed over its shards (point
    reads: polling `count_documents` would scan every receipt on FerretDB)."""
    months = {month_of(datetime.now(UTC) - timedelta(hours=h)) for h in (0, 1)}
    keys = [f"store:S1:{m}" for m in sorted(months)]
    docs = await summed(db, "reports", keys, await all_shards(db))
    return sum(int(d.get("purchases", 0)) for d in docs.values())


async def open_accounts(
    slate: Slate, db: AsyncDatabase[dict[str, Any]], count: int, timeout_s: float
) -> None:
    """Register `count` clients and wait until loyalty has opened an account for each."""
    await send_all(slate.infra.kafka, slate.topic(ClientRegistered.TOPIC), clients(count))

    async def accounts_open() -> bool:
        return await db.accounts.count_documents({}) == count

    await eventually(accounts_open, timeout_s=timeout_s)


async def all_counted(db: AsyncDatabase[dict[str, Any]], total: int, timeout_s: float) -> None:
    """Wait until the store report has counted `total` purchases."""

    async def done() -> bool:
        return await counted(db) >= total

    await eventually(done, timeout_s=timeout_s)


async def balances(db: AsyncDatabase[dict[str, Any]]) -> dict[str, int]:
    return {
        doc["_id"]: int(doc.get("balance_cents", 0))
        async for doc in db.accounts.find({}, {"balance_cents": 1})
    }


async def compare(
    db: AsyncDatabase[dict[str, Any]], purchases: int, clients: int
) -> dict[str, int]:
    """Counts of exact, short (lost) and over (doubled) balances."""
    expected = expected_balances(purchases, clients)
    actual = await balances(db)
    return {
        "exact": sum(actual.get(c) == v for c, v in expected.items()),
        "short": sum(actual.get(c, 0) < v for c, v in expected.items()),
        "over": sum(actual.get(c, 0) > v for c, v in expected.items()),
    }


def duplicates_ignored(*processes: ServiceProcess) -> int:
    """Purchases the loyalty processes recognised as already counted (from their logs):
    by the pipeline's claim on `purchase_id` (one line each) or by loyalty's receipts
    (one line per batch, with a count)."""
    total = 0
    for process in processes:
        for line in process.log_text().splitlines():
            if "duplicate_purchases_ignored" in line or "duplicate_event_ignored" in line:
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if entry.get("event") == "duplicate_purchases_ignored":
                    total += int(entry.get("count", 0))
                elif str(entry.get("dedup_key", "")).startswith("purchase_id:"):
                    total += 1
    return total
