"""Loyalty's Kafka subscribers: decode, call a handler, nothing else."""

from __future__ import annotations

from typing import Any

from faststream import NoCast
from faststream.kafka.annotations import KafkaMessage

from services.loyalty import (
    handlers,
    handlers_bonus,
    handlers_clients,
    handlers_purchases,
    handlers_returns,
)
from services.loyalty.context import Loyalty
from shared.contracts import ClientRegistered
from shared.contracts.complaints import ComplaintFiled, ComplaintResolved, GoodwillGranted
from shared.contracts.pos import PurchaseRecorded, PurchaseReturned
from shared.contracts.registry import ClientErased, ClientMerged, ClientUpdated
from shared.messaging.batches import records_of
from shared.messaging.broker import subscriber_options
from shared.messaging.idempotency import Inbox


async def raw_records(message: Any) -> Any:
    """Leave decoding to the handler: each record of a batch is validated on its own."""
    return None


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
        # A batch of 500 on a slow store can take minutes; a consumer that misses the
        # poll interval is dropped from the group mid-batch and the batch redelivered.
        **(subscriber_options(settings) | {"max_poll_interval_ms": 600_000}),
    )
    async def on_purchases(body: NoCast[list[PurchaseRecorded]], message: KafkaMessage) -> None:
        # `NoCast`: each record is validated by the handler, so one bad record spoils
        # nothing (the AsyncAPI document names the contract through runtime.consumes).
        batch = records_of(message.raw_message)
        await handlers_purchases.record_purchases(loyalty, batch, loyalty.owned())

    runtime.consumes[runtime.topics(PurchaseRecorded.TOPIC)] = PurchaseRecorded
    register_event_subscribers(loyalty)


def register_event_subscribers(loyalty: Loyalty) -> None:
    """One record at a time: these are rare next to purchases."""
    runtime, settings = loyalty.runtime, loyalty.settings

    def subscribe(topic: str) -> Any:
        # A group per topic: a rare topic's consumer joining never rebalances purchases.
        group = f"{settings.service_name}.{topic}"
        return runtime.broker.subscriber(
            runtime.topics(topic), **subscriber_options(settings, group=group)
        )

    @subscribe(PurchaseReturned.TOPIC)
    async def on_return(event: PurchaseReturned) -> None:
        await handlers_returns.record_return(loyalty, event, loyalty.owned())

    @subscribe(GoodwillGranted.TOPIC)
    async def on_goodwill(event: GoodwillGranted) -> None:
        await handlers_bonus.grant_goodwill(loyalty, event)

    @subscribe(ComplaintFiled.TOPIC)
    async def on_complaint_filed(event: ComplaintFiled) -> None:
        await handlers_bonus.complaint_opened(loyalty, event)

    @subscribe(ComplaintResolved.TOPIC)
    async def on_complaint_resolved(event: ComplaintResolved) -> None:
        await handlers_bonus.complaint_closed(loyalty, event)

    @subscribe(ClientUpdated.TOPIC)
    async def on_client_updated(event: ClientUpdated) -> None:
        await handlers_clients.update_client(loyalty, event)

    @subscribe(ClientMerged.TOPIC)
    async def on_client_merged(event: ClientMerged) -> None:
        await handlers_clients.merge_clients(loyalty, event)

    @subscribe(ClientErased.TOPIC)
    async def on_client_erased(event: ClientErased) -> None:
        await handlers_clients.erase_client(loyalty, event)
