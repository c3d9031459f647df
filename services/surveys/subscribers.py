"""Surveys' Kafka subscribers: decode, call a handler, nothing else.

Each subscriber has its own consumer group (`surveys.<name>`), so one joining or leaving
never rebalances the others.
"""

from __future__ import annotations

from typing import Any

from faststream.kafka.annotations import KafkaMessage

from services.surveys import handlers_ratings, handlers_waiting
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

    def options(name: str) -> dict[str, Any]:
        return subscriber_options(settings, group=f"surveys.{name}")

    client_topics = [
        runtime.topics(e.TOPIC)
        for e in (ClientRegistered, ClientUpdated, ClientMerged, ClientErased)
    ]

    # One consumer for every client.* topic, one for both complaint topics: each keeps
    # one writer per document (FerretDB does not make concurrent upserts atomic).
    @broker.subscriber(*client_topics, **options("clients"))
    async def on_client_event(body: dict[str, Any], msg: KafkaMessage) -> None:
        # An event of a client not known yet is parked until it is (handlers_waiting).
        topic = runtime.topics.logical(getattr(msg.raw_message, "topic", ""))
        await handlers_waiting.handle(ctx, topic, body, msg.raw_message)

    register_outreach_subscribers(runtime, ctx)


def register_outreach_subscribers(runtime: ServiceRuntime, ctx: Surveys) -> None:
    """Triggers of outbound messages, and the answers that feed the ratings."""
    broker = runtime.broker

    def options(name: str) -> dict[str, Any]:
        return subscriber_options(runtime.settings, group=f"surveys.{name}")

    complaint_topics = [runtime.topics(e.TOPIC) for e in (ComplaintFiled, ComplaintResolved)]

    @broker.subscriber(runtime.topics(PurchaseRecorded.TOPIC), **options(PurchaseRecorded.TOPIC))
    async def on_purchase_recorded(event: PurchaseRecorded, msg: KafkaMessage) -> None:
        body = event.model_dump(mode="json")
        await handlers_waiting.handle(ctx, PurchaseRecorded.TOPIC, body, msg.raw_message)

    @broker.subscriber(runtime.topics(BonusAccrued.TOPIC), **options(BonusAccrued.TOPIC))
    async def on_bonus_accrued(event: BonusAccrued, msg: KafkaMessage) -> None:
        body = event.model_dump(mode="json")
        await handlers_waiting.handle(ctx, BonusAccrued.TOPIC, body, msg.raw_message)

    @broker.subscriber(runtime.topics(ClientAtRisk.TOPIC), **options(ClientAtRisk.TOPIC))
    async def on_client_at_risk(event: ClientAtRisk, msg: KafkaMessage) -> None:
        body = event.model_dump(mode="json")
        await handlers_waiting.handle(ctx, ClientAtRisk.TOPIC, body, msg.raw_message)

    @broker.subscriber(*complaint_topics, **options("complaints"))
    async def on_complaint_event(body: dict[str, Any], msg: KafkaMessage) -> None:
        topic = runtime.topics.logical(getattr(msg.raw_message, "topic", ""))
        if topic == ComplaintFiled.TOPIC:
            await handlers_ratings.complaint_filed(ctx, ComplaintFiled.model_validate(body))
        else:
            await handlers_ratings.complaint_resolved(ctx, ComplaintResolved.model_validate(body))

    @broker.subscriber(runtime.topics(SurveyAnswered.TOPIC), **options(SurveyAnswered.TOPIC))
    async def on_survey_answered(event: SurveyAnswered) -> None:
        await handlers_ratings.count_answer(ctx, event)
