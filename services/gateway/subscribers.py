"""The gateway's handler table: the events that keep the card view (clients/).

Everything around the handlers (decode, DLQ, per-key order) is
shared/messaging/pipeline.py. One consumer group for all of them: a client's events
share its partition number on every topic, so one process writes one client's view.
No claims: each handler's own write recognises a repeat (`Dedup.IN_DOCUMENTS`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from services.gateway.bootstrap import Context
from services.gateway.clients import handlers
from services.gateway.clients.repository import CardViews
from shared.context import ContextSlot
from shared.contracts.base import Event
from shared.contracts.complaints import (
    ComplaintEscalated,
    ComplaintFiled,
    ComplaintResolved,
    GoodwillGranted,
)
from shared.contracts.registry import ClientErased, ClientMerged
from shared.contracts.surveys import SurveyAnswered
from shared.messaging.pipeline import Dedup, Handler, HandlerTable, Pipeline
from shared.service import ServiceRuntime

GROUP = "card-view"
CardHandler = Callable[[CardViews, Any], Awaitable[None]]
ROUTES: dict[type[Event], CardHandler] = {
    ComplaintFiled: handlers.case_changed,
    ComplaintEscalated: handlers.case_changed,
    ComplaintResolved: handlers.case_changed,
    GoodwillGranted: handlers.case_changed,
    SurveyAnswered: handlers.survey_answered,
    ClientErased: handlers.client_erased,
    ClientMerged: handlers.clients_merged,
}
TOPICS = [event.TOPIC for event in ROUTES]


def handler_table(context: Callable[[], Context]) -> HandlerTable:
    def given_views(handler: CardHandler) -> Handler:
        async def handle(event: Any) -> None:
            await handler(context().cards, event)

        return handle

    table = HandlerTable()
    for event, handler in ROUTES.items():
        table.add(event, given_views(handler), GROUP, dedup=Dedup.IN_DOCUMENTS)
    return table


def register_subscribers(runtime: ServiceRuntime, context: ContextSlot[Context]) -> Pipeline:
    pipeline = Pipeline(handler_table(context), runtime)
    pipeline.subscribe()
    return pipeline
