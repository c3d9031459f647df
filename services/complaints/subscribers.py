"""Complaints' handler table: which handler takes which event, and on which consumer.

Everything around the handlers (decode, DLQ, dedup, the waiting room for events of a
client not known yet) is shared/messaging/pipeline.py. The registry's client events
share one consumer, so they are applied one after another (one writer of a client's
projection per process); each other topic has a consumer group of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from services.complaints.bootstrap import Context
from services.complaints.cases import handlers
from services.complaints.clients import handlers as handlers_clients
from services.complaints.problem_clients import handlers as handlers_problem
from services.complaints.trends import handlers as handlers_trends
from shared.client_projection import subscribe
from shared.context import ContextSlot
from shared.contracts.complaints import ComplaintFiled
from shared.contracts.loyalty import TierChanged
from shared.contracts.pos import PurchaseReturned
from shared.contracts.registry import ClientErased, ClientMerged, ClientRegistered, ClientUpdated
from shared.contracts.surveys import SurveyAnswered
from shared.messaging.pipeline import Dedup, Handler, HandlerTable, Pipeline
from shared.service import ServiceRuntime

Timed = Callable[[Context, Any, datetime], Awaitable[Any]]


def handler_table(context: Callable[[], Context]) -> HandlerTable:
    def timed(handler: Timed) -> Handler:
        async def handle(event: Any) -> Sequence[str] | None:
            ctx = context()
            made_known: Sequence[str] | None = await handler(ctx, event, ctx.clock())
            return made_known

        return handle

    async def erase(event: ClientErased) -> None:
        await handlers_clients.erase_client(context(), event)

    async def count(event: ComplaintFiled) -> None:
        await handlers_trends.count_filed(context(), event)

    async def survey(event: SurveyAnswered) -> None:
        ctx = context()
        await handlers.open_case_from_survey(ctx, event, ctx.clock())

    table = HandlerTable()
    # A registration is recognised in the client's own document (remember_client).
    registered = timed(handlers_clients.remember_client)
    table.add(ClientRegistered, registered, "client-events", Dedup.IN_DOCUMENTS)
    table.add(ClientUpdated, timed(handlers_clients.update_client), "client-events")
    table.add(ClientMerged, timed(handlers_clients.merge_clients), "client-events")
    table.add(ClientErased, erase, "client-events")
    table.add(TierChanged, timed(handlers_clients.change_tier), "tier-changed")
    table.add(SurveyAnswered, survey, "survey-answered")
    table.add(PurchaseReturned, timed(handlers_problem.note_return), "purchase-returned")
    table.add(ComplaintFiled, count, "complaint-filed")
    return table


def register_subscribers(runtime: ServiceRuntime, context: ContextSlot[Context]) -> Pipeline:
    """The pipeline's subscribers; their handlers read the Context built at start."""

    async def known(keys: Sequence[str]) -> bool:
        return await handlers_clients.known(context(), keys)

    return subscribe(handler_table(context), runtime, known)
