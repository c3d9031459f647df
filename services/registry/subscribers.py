"""The registry's handler table: other services' events become signals on the card.

Everything around the handlers (decode, DLQ, dedup) is shared/messaging/pipeline.py;
each topic has a consumer group of its own, so one slow topic never rebalances the
others.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from services.registry.signals import handlers as handlers_signals
from services.registry.signals.repository import SignalRepository
from shared.contracts.complaints import ComplaintFiled, ComplaintResolved
from shared.contracts.loyalty import TierChanged
from shared.contracts.surveys import SurveyAnswered
from shared.messaging.pipeline import Handler, HandlerTable, Pipeline
from shared.service import ServiceRuntime

CONSUMES = [ComplaintFiled.TOPIC, ComplaintResolved.TOPIC, SurveyAnswered.TOPIC, TierChanged.TOPIC]


def handler_table(signals: Callable[[], SignalRepository]) -> HandlerTable:
    def on_card(handler: Callable[[SignalRepository, Any], Awaitable[None]]) -> Handler:
        async def handle(event: Any) -> None:
            await handler(signals(), event)

        return handle

    table = HandlerTable()
    table.add(ComplaintFiled, on_card(handlers_signals.complaint_filed), "complaint-filed")
    table.add(ComplaintResolved, on_card(handlers_signals.complaint_resolved), "complaint-resolved")
    table.add(SurveyAnswered, on_card(handlers_signals.survey_answered), "survey-answered")
    table.add(TierChanged, on_card(handlers_signals.tier_changed), "tier-changed")
    return table


def register_subscribers(runtime: ServiceRuntime) -> Pipeline:
    pipeline = Pipeline(handler_table(lambda: SignalRepository(runtime.db)), runtime)
    pipeline.subscribe()
    return pipeline
