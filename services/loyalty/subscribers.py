"""Loyalty's handler table: every event it consumes goes through the message pipeline
(shared/messaging/pipeline.py); purchases as a batch route, the rest one at a time."""

from __future__ import annotations

from functools import partial

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
from shared.messaging.pipeline import SERVICE_GROUP, Dedup, HandlerTable, Pipeline


def handler_table(loyalty: Loyalty) -> HandlerTable:
    """Purchases: claimed per batch by `purchase_id` (one insert, one settle), planned as
    a whole into one unit of work. Every other handler recognises a repeat in its own
    documents (the account itself for registrations, a receipt such as `return:<id>`
    or `grant:<id>` written in its unit of work), so no claim."""
    crash_after_write = loyalty.settings.crash_after_write
    settings = loyalty.settings

    async def open_account(event: ClientRegistered) -> None:
        await handlers.open_account(event, loyalty, crash_after_write=crash_after_write)

    async def record_return(event: PurchaseReturned) -> None:
        await returns.record_return(loyalty, event, loyalty.owned())

    async def grant_goodwill(event: GoodwillGranted) -> None:
        await bonus.grant_goodwill(loyalty, event)

    table, own = HandlerTable(), Dedup.IN_DOCUMENTS
    # Purchases and registrations keep the service's own group (where their offsets
    # have always been committed): a fixed release goes on where the group stopped
    # (tests/reliability/test_dlq_replay.py). Purchases are a consumer of their own.
    table.add_batch(
        PurchaseRecorded, partial(purchases.record_purchases, loyalty), SERVICE_GROUP,
        max_records=settings.purchase_batch_size,
        batch_timeout_ms=settings.purchase_batch_timeout_ms,
    )  # fmt: skip
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
    known = partial(returns.purchases_recorded, loyalty)
    pipeline = Pipeline(handler_table(loyalty), loyalty.runtime, known)
    pipeline.subscribe()
    return pipeline
