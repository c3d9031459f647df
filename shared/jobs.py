"""Scheduled jobs that run once per period however many replicas run them.

Every replica runs the same `PeriodicTask`; at its entry point a job claims the
period by inserting `job:<name>:<period>` into the service's `jobs` collection. The
insert is the lock: a duplicate-key error means another replica has this period.
No read-modify-write and no lease updates, because FerretDB 1.x does not make
concurrent updates of one document atomic; a unique `_id` insert is atomic on both
stores.

A period is what the job's schedule means: `floor(now / interval)` for a job that runs
every `interval` seconds (the SLA check), the date for a daily one. A replica that
claims a period and then crashes leaves that period's work undone: the next period
does what is due then (every job works from the state it finds, not from what the
last run did), and every job is idempotent per item (one escalation per breach, one
birthday bonus per client and year, ...), so doing an item twice is harmless too.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

JOBS = "jobs"
# Claims of interval jobs older than this many periods are deleted (one point delete
# per claim), so an every-minute job keeps a few documents, not half a million a year.
KEEP_PERIODS = 10


def job_id(job: str, period: str) -> str:
    return f"job:{job}:{period}"


async def claim_period(
    db: AsyncDatabase[dict[str, Any]], job: str, period: str, at: datetime | None = None
) -> bool:
    """True when this caller is the one to run `job` for `period` (the first to ask)."""
    doc = {"_id": job_id(job, period), "at": at or datetime.now(UTC)}
    try:
        await db[JOBS].insert_one(doc)
    except DuplicateKeyError:
        return False
    return True


def interval_period(now: datetime, interval_s: float) -> int:
    """The number of the `interval_s`-long period `now` falls in (counted from 1970)."""
    return int(now.timestamp() // interval_s)


async def claim_interval(
    db: AsyncDatabase[dict[str, Any]], job: str, now: datetime, interval_s: float
) -> bool:
    """Claim the current `interval_s` period of `job`, forgetting old claims."""
    period = interval_period(now, interval_s)
    if not await claim_period(db, job, str(period), now):
        return False
    await db[JOBS].delete_one({"_id": job_id(job, str(period - KEEP_PERIODS))})
    return True
