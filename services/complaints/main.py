"""Composition root of the complaints service."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.complaints import api, api_reports
from services.complaints.config import ComplaintsSettings
from services.complaints.dependencies import Desk, Policies, utc_now
from services.complaints.handlers_problem import ProposalNotFound, RegistryRefused
from services.complaints.model import CaseNotFound, InvalidTransition, UnknownTopic
from services.complaints.schedule import SlaSchedule
from services.complaints.subscribers import register_subscribers
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
from shared.service import ServiceRuntime, build_app

TOPICS = [
    ClientRegistered.TOPIC,
    ClientUpdated.TOPIC,
    ClientMerged.TOPIC,
    ClientErased.TOPIC,
    TierChanged.TOPIC,
    SurveyAnswered.TOPIC,
    PurchaseReturned.TOPIC,
    ComplaintFiled.TOPIC,
    ComplaintEscalated.TOPIC,
    ComplaintResolved.TOPIC,
    GoodwillGranted.TOPIC,
    ComplaintTrendDetected.TOPIC,
]


def create_app(settings: ComplaintsSettings | None = None) -> FastAPI:
    settings = settings or ComplaintsSettings()
    policies = Policies.from_settings(settings)
    runtime = ServiceRuntime(settings, TOPICS)
    register_subscribers(runtime, policies)
    app = build_app(runtime, title="Clientele complaints", routers=[api.router, api_reports.router])
    app.state.policies = policies
    schedule = SlaSchedule(
        lambda: Desk.of(runtime, policies), settings.sla_check_interval_s, utc_now
    )
    run_schedule_in_lifespan(app, schedule)
    map_domain_errors(app)
    return app


def run_schedule_in_lifespan(app: FastAPI, schedule: SlaSchedule) -> None:
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(a: FastAPI) -> AsyncIterator[None]:
        async with inner(a):
            schedule.start()
            try:
                yield
            finally:
                await schedule.stop()

    app.router.lifespan_context = lifespan


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
