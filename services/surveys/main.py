"""Composition root of the surveys service: subscribers, API, the SMS dispatcher."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from services.surveys.api import router
from services.surveys.api_reports import router as reports_router
from services.surveys.config import SurveysSettings
from services.surveys.dispatcher import Dispatcher
from services.surveys.handlers import Surveys
from services.surveys.model import Clock, system_clock
from services.surveys.sms_providers import DevelopmentProvider, HttpProvider, SmsProvider
from services.surveys.subscribers import register_subscribers
from shared.contracts.complaints import ComplaintFiled, ComplaintResolved
from shared.contracts.loyalty import BonusAccrued, ClientAtRisk
from shared.contracts.pos import PurchaseRecorded
from shared.contracts.registry import ClientErased, ClientMerged, ClientRegistered, ClientUpdated
from shared.contracts.surveys import SurveyAnswered, SurveyRequested
from shared.service import ServiceRuntime, build_app

TOPICS = [
    ClientRegistered.TOPIC,
    ClientUpdated.TOPIC,
    ClientMerged.TOPIC,
    ClientErased.TOPIC,
    PurchaseRecorded.TOPIC,
    BonusAccrued.TOPIC,
    ClientAtRisk.TOPIC,
    ComplaintFiled.TOPIC,
    ComplaintResolved.TOPIC,
    SurveyRequested.TOPIC,
    SurveyAnswered.TOPIC,
]


def sms_provider(settings: SurveysSettings) -> SmsProvider:
    if settings.sms_provider == "http":
        return HttpProvider(
            settings.sms_http_url,
            settings.sms_http_user,
            settings.sms_http_password,
            settings.sms_http_sender,
            settings.sms_http_timeout_s,
            settings.sms_http_retries,
            settings.sms_http_backoff_s,
        )
    return DevelopmentProvider()


def create_app(settings: SurveysSettings | None = None, clock: Clock | None = None) -> FastAPI:
    """`clock` lets tests decide what time it is (quiet hours, budget windows)."""
    settings = settings or SurveysSettings()
    runtime = ServiceRuntime(settings, TOPICS)
    ctx = Surveys(runtime, settings, clock or system_clock, sms_provider(settings))
    register_subscribers(runtime, ctx)
    app = build_app(
        runtime,
        title="Clientele surveys",
        routers=[router, reports_router],
        description="Outbound SMS, the contact budget, survey answers, ratings and NPS.",
    )
    app.state.surveys = ctx
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(a: FastAPI) -> AsyncIterator[None]:
        async with inner(a):
            dispatcher = Dispatcher(ctx, settings.dispatch_interval_s)
            dispatcher.start()
            try:
                yield
            finally:
                await dispatcher.stop()
                await ctx.provider.close()

    app.router.lifespan_context = lifespan
    return app
