"""Complaints' Kafka subscribers: decode, call a handler, nothing else.

The registry's client events arrive on one subscriber so they are applied one after
another (one writer of a client's projection per process).
"""

from __future__ import annotations

from typing import Any

from faststream.kafka.annotations import KafkaMessage

from services.complaints import handlers, handlers_clients, handlers_trends, handlers_waiting
from services.complaints.dependencies import Desk, KeyedLocks, Policies, utc_now
from shared.contracts.complaints import ComplaintFiled
from shared.contracts.loyalty import TierChanged
from shared.contracts.pos import PurchaseReturned
from shared.contracts.registry import ClientErased, ClientMerged, ClientRegistered, ClientUpdated
from shared.contracts.surveys import SurveyAnswered
from shared.messaging.broker import subscriber_options
from shared.service import ServiceRuntime

CLIENT_TOPICS = (ClientRegistered, ClientUpdated, ClientMerged, ClientErased)


def register_subscribers(runtime: ServiceRuntime, policies: Policies, locks: KeyedLocks) -> None:
    def options(name: str) -> dict[str, Any]:
        # One consumer group per subscriber: joining one group five times would cost
        # five rebalances at every start.
        return subscriber_options(runtime.settings, f"{runtime.settings.service_name}.{name}")

    by_topic = {runtime.topics(e.TOPIC): e for e in CLIENT_TOPICS}
    # An event of a client not known yet is parked until it is (handlers_waiting).

    def desk() -> Desk:
        return Desk.of(runtime, policies, locks)

    @runtime.broker.subscriber(*by_topic, **options("client-events"))
    async def on_client_event(body: dict[str, Any], message: KafkaMessage) -> None:
        record = message.raw_message
        topic = record[0].topic if isinstance(record, tuple) else record.topic
        logical = by_topic[topic].TOPIC
        await handlers_waiting.handle(desk(), runtime, logical, body, record)

    @runtime.broker.subscriber(runtime.topics(TierChanged.TOPIC), **options("tier-changed"))
    async def on_tier_changed(event: TierChanged) -> None:
        await handlers_clients.change_tier(desk(), event, utc_now())

    @runtime.broker.subscriber(runtime.topics(SurveyAnswered.TOPIC), **options("survey-answered"))
    async def on_survey_answered(event: SurveyAnswered) -> None:
        await handlers.open_case_from_survey(desk(), event, utc_now())

    @runtime.broker.subscriber(
        runtime.topics(PurchaseReturned.TOPIC), **options("purchase-returned")
    )
    async def on_purchase_returned(event: PurchaseReturned, message: KafkaMessage) -> None:
        body = event.model_dump(mode="json")
        await handlers_waiting.handle(
            desk(), runtime, PurchaseReturned.TOPIC, body, message.raw_message
        )

    @runtime.broker.subscriber(runtime.topics(ComplaintFiled.TOPIC), **options("complaint-filed"))
    async def on_complaint_filed(event: ComplaintFiled) -> None:
        await handlers_trends.count_filed(desk(), event)
