"""Loyalty's Kafka subscribers: decode, call a handler, nothing else."""

from __future__ import annotations

from typing import Any

from faststream.kafka.annotations import KafkaMessage

from services.loyalty import handlers, handlers_purchases
from services.loyalty.context import Loyalty
from shared.contracts import ClientRegistered
from shared.contracts.pos import PurchaseRecorded
from shared.messaging.broker import subscriber_options
from shared.messaging.idempotency import Inbox


async def raw_records(message: Any) -> Any:
    """Leave decoding to the handler: each record of a batch is validated on its own."""
    return None


def owned_partitions(message: Any) -> set[str] | None:
    consumer = getattr(message, "consumer", None)
    assignment = getattr(consumer, "assignment", None)
    if assignment is None:
        return None
    return {f"{tp.topic}:{tp.partition}" for tp in assignment()}


def register_subscribers(loyalty: Loyalty) -> None:
    runtime, settings = loyalty.runtime, loyalty.settings

    @runtime.broker.subscriber(
        runtime.topics(ClientRegistered.TOPIC), **subscriber_options(settings)
    )
    async def on_client_registered(event: ClientRegistered) -> None:
        await handlers.open_account(
            event,
            loyalty,
            Inbox(runtime.db, "loyalty.client.registered"),
            crash_after_write=settings.crash_after_write,
        )

    @runtime.broker.subscriber(
        runtime.topics(PurchaseRecorded.TOPIC),
        batch=True,
        max_records=settings.purchase_batch_size,
        batch_timeout_ms=settings.purchase_batch_timeout_ms,
        decoder=raw_records,
        **subscriber_options(settings),
    )
    async def on_purchases(body: Any, message: KafkaMessage) -> None:
        records = message.raw_message
        batch = records if isinstance(records, tuple) else (records,)
        await handlers_purchases.record_purchases(loyalty, batch, owned_partitions(message))
