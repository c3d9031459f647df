"""The registry's Kafka subscribers: other services' events become signals on the card."""

from __future__ import annotations

from typing import Any

from services.registry import handlers_signals
from services.registry.repository_signals import SignalRepository
from shared.contracts.complaints import ComplaintFiled, ComplaintResolved
from shared.contracts.loyalty import TierChanged
from shared.contracts.surveys import SurveyAnswered
from shared.messaging.broker import subscriber_options
from shared.service import ServiceRuntime

CONSUMES = [ComplaintFiled.TOPIC, ComplaintResolved.TOPIC, SurveyAnswered.TOPIC, TierChanged.TOPIC]


def register_subscribers(runtime: ServiceRuntime) -> None:
    def options(name: str) -> dict[str, Any]:
        # One consumer group per subscriber, so one slow topic never rebalances the others.
        return subscriber_options(runtime.settings, f"{runtime.settings.service_name}.{name}")

    def signals() -> SignalRepository:
        return SignalRepository(runtime.db)

    @runtime.broker.subscriber(runtime.topics(ComplaintFiled.TOPIC), **options("complaint-filed"))
    async def on_complaint_filed(event: ComplaintFiled) -> None:
        await handlers_signals.complaint_filed(signals(), event)

    @runtime.broker.subscriber(
        runtime.topics(ComplaintResolved.TOPIC), **options("complaint-resolved")
    )
    async def on_complaint_resolved(event: ComplaintResolved) -> None:
        await handlers_signals.complaint_resolved(signals(), event)

    @runtime.broker.subscriber(runtime.topics(SurveyAnswered.TOPIC), **options("survey-answered"))
    async def on_survey_answered(event: SurveyAnswered) -> None:
        await handlers_signals.survey_answered(signals(), event)

    @runtime.broker.subscriber(runtime.topics(TierChanged.TOPIC), **options("tier-changed"))
    async def on_tier_changed(event: TierChanged) -> None:
        await handlers_signals.tier_changed(signals(), event)
