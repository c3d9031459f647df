"""Composition root of the loyalty service."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

from fastapi import FastAPI
from pymongo import IndexModel

from services.loyalty.accounts import api
from services.loyalty.accounts.repository import ACCOUNTS
from services.loyalty.bonus import handlers as bonus
from services.loyalty.bootstrap import Context, bootstrap
from services.loyalty.config import LoyaltySettings
from services.loyalty.export import api as export_api
from services.loyalty.reports import api as reports_api
from services.loyalty.rules import api as rules_api
from services.loyalty.subscribers import register_subscribers
from shared.context import ContextSlot
from shared.contracts import ClientRegistered
from shared.contracts.base import Event
from shared.contracts.complaints import ComplaintFiled, ComplaintResolved, GoodwillGranted
from shared.contracts.loyalty import (
    AccountChangeRequested,
    BonusAccrued,
    BonusRedeemed,
    ClientAtRisk,
    TierChanged,
)
from shared.contracts.pos import PurchaseRecorded, PurchaseReturned
from shared.contracts.registry import ClientErased, ClientMerged, ClientUpdated
from shared.jobs import claim_interval
from shared.logging import get_logger
from shared.periodic import PeriodicTask
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
    AccountChangeRequested.TOPIC,  # from its own replicas (accounts/owner.py)
]
PUBLISHES: list[type[Event]] = [
    BonusAccrued, BonusRedeemed, TierChanged, ClientAtRisk, AccountChangeRequested,
]  # fmt: skip
PUBLISHED = [e.TOPIC for e in PUBLISHES]
TOPICS = sorted(set(CONSUMED + PUBLISHED))
# For MongoDB: the expiry job's scan of accounts with a balance. Everything else is
# read by `_id` (FerretDB 1.x creates these but never reads through them).
INDEXES: IndexPlan = {ACCOUNTS: [IndexModel([("balance_cents", 1)], name="balance_cents")]}


async def run_jobs(loyalty: Context, now: datetime) -> list[str]:
    """One round of the in-process scheduler; returns the jobs this replica ran.

    Stale journals of the partitions this replica owns are replayed by every replica.
    Birthdays, expiry and churn claim the round's period (`shared.jobs`), so with N
    replicas one runs each; each is idempotent per item besides (receipts: one
    birthday bonus per client and year, one expiry per client and month, one
    `client.at_risk` per last purchase), so a period redone after a replica died
    mid-round, or an external scheduler calling the job endpoints, does no harm.
    """
    async with loyalty.unit_of_work.lock:
        await loyalty.unit_of_work.replay_open(loyalty.owned(), force=True)
    db, interval, ran = loyalty.store, loyalty.settings.jobs_interval_s, []
    if await claim_interval(db, "birthdays", now, interval):
        await bonus.run_birthdays(loyalty, now.date())
        ran.append("birthdays")
    if await claim_interval(db, "expiry", now, interval):
        await bonus.run_expiry(loyalty, now)
        ran.append("expiry")
    if await claim_interval(db, "churn", now, interval):
        await bonus.run_churn(loyalty, now.date())
        ran.append("churn")
    return ran


def scheduled_jobs(context: ContextSlot[Context], interval_s: float) -> PeriodicTask:
    return PeriodicTask(
        "loyalty-jobs",
        interval_s,
        lambda: run_jobs(context(), datetime.now(UTC)),
        run_first_at_once=False,
    )


def create_app(settings: LoyaltySettings | None = None) -> FastAPI:
    settings = settings or LoyaltySettings()
    runtime = ServiceRuntime(settings, TOPICS)
    context: ContextSlot[Context] = ContextSlot()
    pipeline = register_subscribers(runtime, settings, context)
    runtime.tasks.append(scheduled_jobs(context, settings.jobs_interval_s))
    sweep = partial(pipeline.expire_waiting, settings.waiting_max_age_h)
    runtime.tasks.append(
        PeriodicTask("loyalty-waiting-sweep", settings.waiting_sweep_interval_s, sweep)
    )
    routers = [api.router, rules_api.router, reports_api.router, export_api.router]

    async def start(_: ServiceRuntime) -> None:
        # Built once the store is open; from then on the outbox relay also finishes and
        # publishes any journal a crash left open, even while no message arrives.
        app.state.loyalty = context()

    app = build_app(
        runtime, title="Clientele loyalty", routers=routers, publishes=PUBLISHES,
        indexes=INDEXES, context=context,
        bootstrap=lambda runtime: bootstrap(settings, runtime), on_start=start,
    )  # fmt: skip
    return app
