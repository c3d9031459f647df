"""Surveys' Kafka subscribers: decode, call a handler, nothing else.

Each topic has its own consumer group (`surveys.<topic>`), so a subscriber joining or
leaving never rebalances the others.
"""

from __future__ import annotations

from typing import Any

from services.surveys import handlers, handlers_outreach, handlers_ratings
from services.surveys.handlers import Surveys
from shared.contracts.complaints import ComplaintFiled, ComplaintResolved
from shared.contracts.loyalty import BonusAccrued, ClientAtRisk
from shared.contracts.pos import PurchaseRecorded
from shared.contracts.registry import ClientErased, ClientMerged, ClientRegistered, ClientUpdated
from shared.contracts.surveys import SurveyAnswered
from shared.messaging.broker import subscriber_options
from shared.service import ServiceRuntime


def register_subscribers(runtime: ServiceRuntime, ctx: Surveys) -> None:
    broker, settings = runtime.broker, runtime.settings

    def options(topic: str) -> dict[str, Any]:
        return subscriber_options(settings, group=f"surveys.{topic}")

    @broker.subscriber(runtime.topics(ClientRegistered.TOPIC), **options(ClientRegistered.TOPIC))
    async def on_client_registered(event: ClientRegistered) -> None:
        await handlers.remember_client(ctx, event)

    @broker.subscriber(runtime.topics(ClientUpdated.TOPIC), **options(ClientUpdated.TOPIC))
    async def on_client_updated(event: ClientUpdated) -> None:
        await handlers.update_client(ctx, event)

    @broker.subscriber(runtime.topics(ClientMerged.TOPIC), **options(ClientMerged.TOPIC))
    async def on_client_merged(event: ClientMerged) -> None:
        await handlers.merge_clients(ctx, event)

    @broker.subscriber(runtime.topics(ClientErased.TOPIC), **options(ClientErased.TOPIC))
    async def on_client_erased(event: ClientErased) -> None:
        await handlers.erase_client(ctx, event)

    @broker.subscriber(runtime.topics(PurchaseRecorded.TOPIC), **options(PurchaseRecorded.TOPIC))
    async def on_purchase_recorded(event: PurchaseRecorded) -> None:
        await handlers_outreach.survey_after_visit(ctx, event)

    @broker.subscriber(runtime.topics(BonusAccrued.TOPIC), **options(BonusAccrued.TOPIC))
    async def on_bonus_accrued(event: BonusAccrued) -> None:
        await handlers_outreach.birthday_greeting(ctx, event)

    @broker.subscriber(runtime.topics(ClientAtRisk.TOPIC), **options(ClientAtRisk.TOPIC))
    async def on_client_at_risk(event: ClientAtRisk) -> None:
        await handlers_outreach.win_back(ctx, event)

    @broker.subscriber(runtime.topics(ComplaintFiled.TOPIC), **options(ComplaintFiled.TOPIC))
    async def on_complaint_filed(event: ComplaintFiled) -> None:
        await handlers_ratings.complaint_filed(ctx, event)

    @broker.subscriber(runtime.topics(ComplaintResolved.TOPIC), **options(ComplaintResolved.TOPIC))
    async def on_complaint_resolved(event: ComplaintResolved) -> None:
        await handlers_ratings.complaint_resolved(ctx, event)

    @broker.subscriber(runtime.topics(SurveyAnswered.TOPIC), **options(SurveyAnswered.TOPIC))
    async def on_survey_answered(event: SurveyAnswered) -> None:
        await handlers_ratings.count_answer(ctx, event)
