"""Retention of the audit: entries older than `GATEWAY_AUDIT_RETENTION_DAYS` go.

A daily job: every replica runs it and the first to claim the period
(`shared.jobs`) purges; deleting what is gone already is harmless besides.
`audit_log` entries go by their time; a client's month chunks
(`audit:client:<id>:<yyyy-mm>#<k>`) go once their whole month is older than the period,
so "who looked at this client" keeps an entry at most one month longer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from services.gateway.audit.repository import Db
from shared.jobs import claim_interval
from shared.logging import get_logger
from shared.store.retention import delete_ids, ids_matching, purge_before

log = get_logger(__name__)

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def month_end(doc_id: str) -> datetime | None:
    """The first instant after the month a client's month chunk (or the month document
    of an older release, without `#<k>`) covers."""
    try:
        month_key = doc_id.rsplit(":", 1)[1].split("#", 1)[0]
        year, month = (int(p) for p in month_key.split("-"))
    except ValueError:
        return None
    return datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)


async def purge_audit(db: Db, now: datetime, retention_days: int) -> tuple[int, int]:
    """Delete audit entries and client month documents past retention; returns how many."""
    cutoff = now - timedelta(days=retention_days)
    entries = await purge_before(db["audit_log"], "at", cutoff)
    months = db["audit_clients"]
    ids = [
        i for i in await ids_matching(months, {}) if (end := month_end(str(i))) and end <= cutoff
    ]
    buckets = await delete_ids(months, ids)
    if entries or buckets:
        log.info("audit_retention_purged", entries=entries, client_months=buckets)
    return entries, buckets


async def purge_audit_once(db: Db, now: datetime, retention_days: int, interval_s: float) -> bool:
    """The scheduled purge: run by the replica that claims this period; True if this one."""
    if not await claim_interval(db, "audit-retention", now, interval_s):
        return False
    await purge_audit(db, now, retention_days)
    return True
