"""A scheduled job's period is claimed by one caller however many ask at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import AsyncMongoClient

from shared.jobs import JOBS, KEEP_PERIODS, claim_interval, claim_period, interval_period
from tests.conftest import Slate


async def test_twenty_concurrent_claims_of_one_period_grant_it_once(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("complaints")]
    first = await asyncio.gather(*(claim_period(db, "sla", "42") for _ in range(20)))
    other = await asyncio.gather(*(claim_period(db, "sla", "43") for _ in range(20)))
    assert sum(first) == 1 and sum(other) == 1
    assert await claim_period(db, "trends", "42")  # another job's period is its own


async def test_interval_claims_take_the_period_of_the_clock_and_forget_old_ones(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("complaints")]
    start = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert await claim_interval(db, "sla", start, 30)
    assert not await claim_interval(db, "sla", start + timedelta(seconds=29), 30)
    for n in range(1, KEEP_PERIODS + 3):
        assert await claim_interval(db, "sla", start + timedelta(seconds=30 * n), 30)
    kept = {d["_id"] async for d in db[JOBS].find({})}
    assert len(kept) == KEEP_PERIODS
    assert f"job:sla:{interval_period(start, 30)}" not in kept
