"""Loyalty's Kafka subscribers: the purchase batches, and the handler table of the rest."""

from __future__ import annotations

from functools import partial
from typing import Any

from faststream import NoCast
from faststream.kafka.annotations import KafkaMessage

from services.loyalty.accounts import handlers
from services.loyalty.bonus import handlers as bonus
from services.loyalty.clients import handlers as clients
from services.loyalty.context import Loyalty
from services.loyalty.purchases import handlers as purchases
from services.loyalty.returns import handlers as returns
from shared.contracts import ClientRegistered
from shared.contracts.complaints import ComplaintFiled, ComplaintResolved, GoodwillGranted
from shared.contracts.pos import PurchaseRecorded, PurchaseReturned
from shared.contracts.registry import ClientErased, ClientMerged, ClientUpdated
from shared.messaging.batches import records_of
from shared.messaging.broker import subscriber_options
from shared.messaging.pipeline import SERVICE_GROUP, Dedup, HandlerTable, Pipeline


async def raw_records(message: Any) -> Any:
    """Leave decoding to the handler: each record of a batch is validated on its own."""
    return None


def handler_table(loyalty: Loyalty) -> HandlerTable:
    """Every event but purchases. Each handler recognises a repeat in its own documents
    (the account itself for registrations, a receipt
    such as `return:<id>` or `grant:<id>` written with its journal), so no claim."""
    crash_after_write = loyalty.settings.crash_after_write

    async def open_account(event: ClientRegistered) -> None:
        await handlers.open_account(event, loyalty, crash_after_write=crash_after_write)

    async def record_return(event: PurchaseReturned) -> None:
        await returns.record_return(loyalty, event, loyalty.owned())

    async def grant_goodwill(event: GoodwillGranted) -> None:
        await bonus.grant_goodwill(loyalty, event)

    table, own = HandlerTable(), Dedup.IN_DOCUMENTS
    # Registrations keep the service's own group (as the purchases do): a fixed release
    # goes on where the group stopped (tests/reliability/test_dlq_replay.py).
    table.add(ClientRegistered, open_account, SERVICE_GROUP, own)
    table.add(PurchaseReturned, record_return, dedup=own)
    table.add(GoodwillGranted, grant_goodwill, dedup=own)
    table.add(ComplaintFiled, partial(bonus.complaint_opened, loyalty), dedup=own)
    table.add(ComplaintResolved, partial(bonus.complaint_closed, loyalty), dedup=own)
    table.add(ClientUpdated, partial(clients.update_client, loyalty), dedup=own)
    table.add(ClientMerged, partial(clients.merge_clients, loyalty), dedup=own)
    table.add(ClientErased, partial(clients.erase_client, loyalty), dedup=own)
    return table


def register_subscribers(loyalty: Loyalty) -> Pipeline:
    """Purchases: a batch planned as a whole into one journal (purchases.py);
    every other event: the message pipeline (shared/messaging/pipeline.py)."""
    runtime, settings = loyalty.runtime, loyalty.settings
    known = partial(returns.purchases_recorded, loyalty)
    pipeline = Pipeline(handler_table(loyalty), runtime, known)

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
        recorded = await purchases.record_purchases(loyalty, batch, loyalty.owned())
        # Returns that came first wait for their purchase (returns.py). After
        # the batch's journal: a return parked meanwhile finds the receipt itself.
        if waiting := await returns.waiting_for(loyalty, recorded):
            await pipeline.release(waiting)

    runtime.consumes[runtime.topics(PurchaseRecorded.TOPIC)] = PurchaseRecorded
    pipeline.subscribe()
    return pipeline
