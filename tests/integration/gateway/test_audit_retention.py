"""Retention of the audit: a scheduled job deletes entries older than the configured
period (gateway in-process, real store, a clock the test moves; the services behind
the gateway are down, so card reads answer 503 and are audited all the same)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import AsyncMongoClient

from services.gateway.config import GatewaySettings
from services.gateway.main import create_app
from tests.conftest import Slate, running
from tests.integration.gateway.conftest import gateway_settings
from tests.support.kafka import eventually
from tests.support.staff import login


class ManualClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


async def test_audit_entries_older_than_a_year_are_purged(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    clock, db = ManualClock(), mongo[slate.db_name("gateway")]
    settings = gateway_settings(slate, retention_interval_s=0.1)
    async with running(create_app(settings, clock)) as api:
        api.headers.update(await login(api))
        assert (await api.get("/api/v1/clients/c-1")).status_code == 503
        seen = await api.get("/api/v1/audit", params={"client_id": "c-1"})
        assert seen.status_code == 200 and seen.json(), seen.text
        entries = await db.audit_log.count_documents({})
        assert entries >= 2 and await db.audit_clients.count_documents({}) == 1  # login, read

        clock.now += timedelta(days=364)  # within a year: kept
        await asyncio.sleep(0.5)  # the job runs every 0.1 s: it has seen the new time
        assert await db.audit_log.count_documents({}) >= entries

        clock.now += timedelta(days=2)  # a year and a day: the entries go

        async def entries_purged() -> bool:
            return await db.audit_log.count_documents({"at": {"$lt": clock.now}}) == 0

        await eventually(entries_purged, timeout_s=10)
        # The client's month document lives until its whole month is past retention.
        assert await db.audit_clients.count_documents({}) == 1
        clock.now += timedelta(days=32)

        async def month_purged() -> bool:
            return await db.audit_clients.count_documents({}) == 0

        await eventually(month_purged, timeout_s=10)


def test_audit_retention_defaults_to_a_year_checked_daily() -> None:
    settings = GatewaySettings()
    assert (settings.audit_retention_days, settings.retention_interval_s) == (365, 86400)
