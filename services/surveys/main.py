"""Composition root of the surveys service: subscribers, API, the SMS dispatcher."""

from __future__ import annotations

from fastapi import FastAPI
from pymongo import IndexModel

from services.surveys.answers.repository import ANSWERS
from services.surveys.api import ROUTERS
from services.surveys.bootstrap import Context, bootstrap
from services.surveys.clients.repository import CLIENTS
from services.surveys.config import SurveysSettings
from services.surveys.dispatch.handlers import dispatch_round
from services.surveys.dispatch.providers import DevelopmentProvider, HttpProvider, SmsProvider
from services.surveys.dispatch.repository import MESSAGES
from services.surveys.retention.handlers import purge_expired_once
from services.surveys.subscribers import register_subscribers
from shared.context import Clock, ContextSlot, utc_now
from shared.contracts.complaints import ComplaintFiled, ComplaintResolved
from shared.contracts.loyalty import BonusAccrued, ClientAtRisk
from shared.contracts.pos import PurchaseRecorded
from shared.contracts.registry import ClientErased, ClientMerged, ClientRegistered, ClientUpdated
from shared.contracts.surveys import SurveyAnswered, SurveyRequested
from shared.messaging.pipeline import Pipeline
from shared.periodic import PeriodicTask
from shared.service import ServiceRuntime, build_app
from shared.store.indexes import IndexPlan

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


# Declared for MongoDB (FerretDB reads by `_id` only): the admin scans of erasure, the
# staff message list and the daily name-day job.
INDEXES: IndexPlan = {
    MESSAGES: [IndexModel([("client_id", 1)])],
    ANSWERS: [IndexModel([("client_id", 1)])],
    CLIENTS: [IndexModel([("name_day", 1)])],
}


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


def periodic_jobs(
    settings: SurveysSettings, context: ContextSlot[Context], pipeline: Pipeline
) -> list[PeriodicTask]:
    """The dispatcher (due messages, name days), the waiting-room sweep, retention."""
    return [
        PeriodicTask(
            "sms-dispatcher", settings.dispatch_interval_s, lambda: dispatch_round(context())
        ),
        PeriodicTask(
            "waiting-sweep",
            settings.waiting_sweep_interval_s,
            lambda: pipeline.expire_waiting(settings.waiting_max_age_h),
        ),
        PeriodicTask(
            "retention", settings.retention_interval_s, lambda: purge_expired_once(context())
        ),
    ]


def create_app(settings: SurveysSettings | None = None, clock: Clock | None = None) -> FastAPI:
    """`clock` lets tests decide what time it is (quiet hours, budget windows)."""
    settings = settings or SurveysSettings()
    runtime = ServiceRuntime(settings, TOPICS)
    provider = sms_provider(settings)
    context: ContextSlot[Context] = ContextSlot()
    pipeline = register_subscribers(runtime, context)
    runtime.tasks.extend(periodic_jobs(settings, context, pipeline))

    async def stop(runtime: ServiceRuntime) -> None:
        await provider.close()

    app = build_app(
        runtime,
        title="Clientele surveys",
        routers=ROUTERS,
        context=context,
        bootstrap=lambda runtime: bootstrap(settings, runtime, provider, clock or utc_now),
        on_stop=stop,
        description="Outbound SMS, the contact budget, survey answers, ratings and NPS.",
        publishes=[SurveyRequested, SurveyAnswered],
        indexes=INDEXES,
    )
    return app
