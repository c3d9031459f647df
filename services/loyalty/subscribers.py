"""Loyalty's handler table: every event it consumes goes through the message pipeline
(shared/messaging/pipeline.py); purchases as a batch route, the rest one at a time."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from services.loyalty.accounts import changes, handlers
from services.loyalty.bonus import handlers as bonus
from services.loyalty.bootstrap import Context
from services.loyalty.clients import handlers as clients
from services.loyalty.config import LoyaltySettings
from services.loyalty.purchases import handlers as purchases
from services.loyalty.returns import handlers as returns
from shared.contracts import ClientRegistered
from shared.contracts.complaints import ComplaintFiled, ComplaintResolved, GoodwillGranted
from shared.contracts.loyalty import AccountChangeRequested
from shared.contracts.pos import PurchaseRecorded, PurchaseReturned
from shared.contracts.registry import ClientErased, ClientMerged, ClientUpdated
from shared.messaging.pipeline import (
    SERVICE_GROUP,
    Dedup,
    HandlerTable,
    Pipeline,
    one_at_a_time,
)
from shared.service import ServiceRuntime

T = TypeVar("T")


def given(
    context: Callable[[], Context], handler: Callable[[Context, Any], Awaitable[T]]
) -> Callable[[Any], Awaitable[T]]:
    """`handler(ctx, event)` as `handler(event)`, with the Context of the running service."""

    async def run(event: Any) -> T:
        return await handler(context(), event)

    return run


def handler_table(context: Callable[[], Context], settings: LoyaltySettings) -> HandlerTable:
    """Purchases: claimed per batch by `purchase_id` (one insert, one settle), planned as
    a whole into one unit of work. Every other handler recognises a repeat in its own
    documents (the account itself for registrations, a receipt such as `return:<id>`
    or `grant:<id>` written in its unit of work), so no claim."""

    async def open_account(loyalty: Context, event: ClientRegistered) -> None:
        crash = loyalty.settings.crash_after_write
        await handlers.open_account(event, loyalty, crash_after_write=crash)

    async def record_return(loyalty: Context, event: PurchaseReturned) -> None:
        await returns.record_return(loyalty, event, loyalty.owned())

    async def grant_goodwill(loyalty: Context, event: GoodwillGranted) -> None:
        await bonus.grant_goodwill(loyalty, event)  # False: granted before

    table, own = HandlerTable(), Dedup.IN_DOCUMENTS
    # Purchases and registrations keep the service's own group (where their offsets
    # have always been committed): a fixed release goes on where the group stopped
    # (tests/reliability/test_dlq_replay.py). Purchases are a consumer of their own.
    table.add_batch(
        PurchaseRecorded, given(context, purchases.record_purchases), SERVICE_GROUP,
        max_records=settings.purchase_batch_size,
        batch_timeout_ms=settings.purchase_batch_timeout_ms,
    )  # fmt: skip
    # Account writes other replicas hand on (accounts/owner.py): read by the purchase
    # consumer itself, co-partitioned with purchases, so by the account's one writer.
    table.add_batch(
        AccountChangeRequested, one_at_a_time(given(context, changes.apply_change)),
        SERVICE_GROUP, own, max_records=settings.purchase_batch_size,
        batch_timeout_ms=settings.purchase_batch_timeout_ms,
    )  # fmt: skip
    table.add(ClientRegistered, given(context, open_account), SERVICE_GROUP, own)
    table.add(PurchaseReturned, given(context, record_return), dedup=own)
    table.add(GoodwillGranted, given(context, grant_goodwill), dedup=own)
    table.add(ComplaintFiled, given(context, bonus.complaint_opened), dedup=own)
    table.add(ComplaintResolved, given(context, bonus.complaint_closed), dedup=own)
    table.add(ClientUpdated, given(context, clients.update_client), dedup=own)
    table.add(ClientMerged, given(context, clients.merge_clients), dedup=own)
    table.add(ClientErased, given(context, clients.erase_client), dedup=own)
    return table


def register_subscribers(
    runtime: ServiceRuntime, settings: LoyaltySettings, context: Callable[[], Context]
) -> Pipeline:
    async def known(keys: Sequence[str]) -> bool:
        return await returns.purchases_recorded(context(), keys)

    # A rebalance waits for the batch being written (shared/messaging/fence.py).
    fence = lambda: context().unit_of_work.lock  # noqa: E731
    table = handler_table(context, settings)
    pipeline = Pipeline(table, runtime, known, fence=fence, co_partitioned=True)
    pipeline.subscribe()
    return pipeline
