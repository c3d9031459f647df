"""Composition root of the loyalty service."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from fastapi import FastAPI
from pymongo import IndexModel

from services.loyalty import api, api_export, api_reports, api_rules, handlers_bonus
from services.loyalty.config import LoyaltySettings
from services.loyalty.context import Loyalty, Policy
from services.loyalty.journal import ACCOUNTS
from services.loyalty.subscribers import register_subscribers
from shared.contracts import ClientRegistered
from shared.contracts.base import Event
from shared.contracts.complaints import ComplaintFiled, ComplaintResolved, GoodwillGranted
from shared.contracts.loyalty import BonusAccrued, BonusRedeemed, ClientAtRisk, TierChanged
from shared.contracts.pos import PurchaseRecorded, PurchaseReturned
from shared.contracts.registry import ClientErased, ClientMerged, ClientUpdated
from shared.logging import get_logger
from shared.service import ServiceRuntime, build_app
from shared.store.indexes import IndexPlan

log = get_logger(__name__)

CONSUMED = [
    ClientRegistered.TOPIC,
    ClientUpdated.TOPIC,
    ClientMerged.TOPIC,
    ClientErased.TOPIC,
    PurchaseRecorded.TOPIC,
    PurchaseReturned.TOPIC,
    GoodwillGranted.TOPIC,
    ComplaintFiled.TOPIC,
    ComplaintResolved.TOPIC,
]
PUBLISHES: list[type[Event]] = [BonusAccrued, BonusRedeemed, TierChanged, ClientAtRisk]
PUBLISHED = [e.TOPIC for e in PUBLISHES]
TOPICS = CONSUMED + PUBLISHED
# For MongoDB: the expiry job's scan of accounts with a balance. Everything else is
# read by `_id` (FerretDB 1.x creates these but never reads through them).
INDEXES: IndexPlan = {ACCOUNTS: [IndexModel([("balance_cents", 1)], name="balance_cents")]}


async def run_jobs_forever(loyalty: Loyalty) -> None:
    """The in-process scheduler: birthdays, expiry and stale journals, every interval.

    Every job is idempotent (receipts), so an external scheduler calling the job
    endpoints or `clientele loyalty ...` as well does no harm.
    """
    while True:
        await asyncio.sleep(loyalty.settings.jobs_interval_s)
        try:
            now = datetime.now(UTC)
            async with loyalty.journals.lock:
                await loyalty.journals.replay_open(loyalty.owned(), force=True)
            await handlers_bonus.run_birthdays(loyalty, now.date())
            await handlers_bonus.run_expiry(loyalty, now)
            await handlers_bonus.run_churn(loyalty, now.date())
        except Exception as exc:
            log.warning("loyalty_jobs_failed", error=repr(exc))


def with_jobs(app: FastAPI, loyalty: Loyalty) -> None:
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with inner(app):
            task = asyncio.create_task(run_jobs_forever(loyalty), name="loyalty-jobs")
            try:
                yield
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app.router.lifespan_context = lifespan


def create_app(settings: LoyaltySettings | None = None) -> FastAPI:
    settings = settings or LoyaltySettings()
    runtime = ServiceRuntime(settings, TOPICS)
    loyalty = Loyalty(runtime, settings, Policy.from_settings(settings))
    register_subscribers(loyalty)
    routers = [api.router, api_rules.router, api_reports.router, api_export.router]
    app = build_app(
        runtime, title="Clientele loyalty", routers=routers, publishes=PUBLISHES, indexes=INDEXES
    )
    app.state.loyalty = loyalty
    with_jobs(app, loyalty)
    return app
