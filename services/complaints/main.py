"""Composition root of the complaints service."""

from __future__ import annotations

from fastapi import FastAPI
from pymongo import IndexModel

from services.complaints.api import ROUTERS
from services.complaints.bootstrap import Context, bootstrap
from services.complaints.cases.repository import BOARD
from services.complaints.config import ComplaintsSettings
from services.complaints.problem_clients.repository import PROPOSALS
from services.complaints.schedule import SlaSchedule
from services.complaints.subscribers import register_subscribers
from services.complaints.trends.repository import TRENDS
from shared.context import ContextSlot
from shared.contracts.base import Event
from shared.contracts.complaints import (
    ComplaintEscalated,
    ComplaintFiled,
    ComplaintResolved,
    ComplaintTrendDetected,
    GoodwillGranted,
)
from shared.contracts.loyalty import TierChanged
from shared.contracts.pos import PurchaseReturned
from shared.contracts.registry import ClientErased, ClientMerged, ClientRegistered, ClientUpdated
from shared.contracts.surveys import SurveyAnswered
from shared.periodic import PeriodicTask
from shared.service import ServiceRuntime, build_app

PUBLISHES: list[type[Event]] = [
    ComplaintFiled,
    ComplaintEscalated,
    ComplaintResolved,
    GoodwillGranted,
    ComplaintTrendDetected,
]
TOPICS = [
    ClientRegistered.TOPIC,
    ClientUpdated.TOPIC,
    ClientMerged.TOPIC,
    ClientErased.TOPIC,
    TierChanged.TOPIC,
    SurveyAnswered.TOPIC,
    PurchaseReturned.TOPIC,
    *(e.TOPIC for e in PUBLISHES),
]
# For MongoDB; FerretDB 1.x scans anyway (the board and the checker read only open cases).
INDEXES = {
    BOARD: [IndexModel([("deadline", 1)]), IndexModel([("check_at", 1)])],
    TRENDS: [IndexModel([("week", 1)])],
    PROPOSALS: [IndexModel([("status", 1), ("updated_at", -1)])],
}


def create_app(settings: ComplaintsSettings | None = None) -> FastAPI:
    settings = settings or ComplaintsSettings()
    runtime = ServiceRuntime(settings, TOPICS)
    context: ContextSlot[Context] = ContextSlot()
    pipeline = register_subscribers(runtime, context)
    if settings.sla_check_interval_s > 0:
        runtime.tasks.append(
            PeriodicTask(
                "complaints-sla-check",
                settings.sla_check_interval_s,
                SlaSchedule(context, settings.sla_check_interval_s).run_once,
                run_first_at_once=False,
            )
        )
    runtime.tasks.append(
        PeriodicTask(
            "complaints-waiting-sweep",
            settings.waiting_sweep_interval_s,
            lambda: pipeline.expire_waiting(settings.waiting_max_age_h),
        )
    )
    return build_app(
        runtime,
        title="Clientele complaints",
        routers=ROUTERS,
        context=context,
        bootstrap=lambda runtime: bootstrap(settings, runtime),
        publishes=PUBLISHES,
        indexes=INDEXES,
    )
