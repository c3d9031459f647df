"""Composition root of the complaints service."""

from __future__ import annotations

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pymongo import IndexModel

from services.complaints import api, api_reports
from services.complaints.config import ComplaintsSettings
from services.complaints.dependencies import Desk, KeyedLocks, Policies, utc_now
from services.complaints.handlers_problem import ProposalNotFound, RegistryRefused
from services.complaints.model import CaseNotFound, InvalidTransition, UnknownTopic
from services.complaints.repository import BOARD
from services.complaints.repository_reports import PROPOSALS, TRENDS
from services.complaints.schedule import SlaSchedule
from services.complaints.subscribers import register_subscribers
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
    policies = Policies.from_settings(settings)
    runtime = ServiceRuntime(settings, TOPICS)
    locks = KeyedLocks()
    pipeline = register_subscribers(runtime, policies, locks)
    if settings.sla_check_interval_s > 0:
        schedule = SlaSchedule(lambda: Desk.of(runtime, policies, locks), utc_now)
        runtime.tasks.append(
            PeriodicTask(
                "complaints-sla-check",
                settings.sla_check_interval_s,
                schedule.run_once,
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
    app = build_app(
        runtime,
        title="Clientele complaints",
        routers=[api.router, api_reports.router],
        publishes=PUBLISHES,
        indexes=INDEXES,
    )
    app.state.policies = policies
    app.state.locks = locks
    map_domain_errors(app)
    return app


def map_domain_errors(app: FastAPI) -> None:
    """Domain errors become 4xx answers that say what is wrong, in one place."""

    @app.exception_handler(CaseNotFound)
    async def not_found(_: Request, exc: CaseNotFound) -> JSONResponse:
        return JSONResponse({"detail": f"no complaint {exc}"}, status_code=404)

    @app.exception_handler(ProposalNotFound)
    async def no_proposal(_: Request, exc: ProposalNotFound) -> JSONResponse:
        return JSONResponse({"detail": f"no open problem-client proposal for {exc}"}, 404)

    @app.exception_handler(UnknownTopic)
    async def unknown_topic(_: Request, exc: UnknownTopic) -> JSONResponse:
        return JSONResponse({"detail": str(exc), "topics": exc.known}, status_code=422)

    @app.exception_handler(InvalidTransition)
    async def invalid_transition(_: Request, exc: InvalidTransition) -> JSONResponse:
        body = {"detail": str(exc), "status": exc.current, "allowed": exc.allowed}
        return JSONResponse(body, status_code=409)

    @app.exception_handler(RegistryRefused)
    async def registry_refused(_: Request, exc: RegistryRefused) -> JSONResponse:
        status = exc.status if exc.status in (404, 409, 422) else 502
        return JSONResponse({"detail": str(exc)}, status_code=status)

    @app.exception_handler(httpx.HTTPError)
    async def registry_down(_: Request, exc: httpx.HTTPError) -> JSONResponse:
        return JSONResponse({"detail": f"the registry does not answer: {exc!r}"}, 503)

    @app.exception_handler(ValueError)
    async def bad_value(_: Request, exc: ValueError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)
