"""The registry's handler table: other services' events become signals on the card.

Everything around the handlers (decode, DLQ, dedup) is shared/messaging/pipeline.py;
each topic has a consumer group of its own, so one slow topic never rebalances the
others.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from services.registry.bootstrap import Context
from services.registry.signals import handlers as signals
from shared.context import ContextSlot
from shared.contracts.complaints import ComplaintFiled, ComplaintResolved
from shared.contracts.loyalty import TierChanged
from shared.contracts.surveys import SurveyAnswered
from shared.messaging.pipeline import Handler, HandlerTable, Pipeline
from shared.service import ServiceRuntime

CONSUMES = [ComplaintFiled.TOPIC, ComplaintResolved.TOPIC, SurveyAnswered.TOPIC, TierChanged.TOPIC]


def handler_table(context: Callable[[], Context]) -> HandlerTable:
    def on_card(handler: Callable[[Context, Any], Awaitable[None]]) -> Handler:
        async def handle(event: Any) -> None:
            await handler(context(), event)

        return handle

    table = HandlerTable()
    table.add(ComplaintFiled, on_card(signals.complaint_filed), "complaint-filed")
    table.add(ComplaintResolved, on_card(signals.complaint_resolved), "complaint-resolved")
    table.add(SurveyAnswered, on_card(signals.survey_answered), "survey-answered")
    table.add(TierChanged, on_card(signals.tier_changed), "tier-changed")
    return table


def register_subscribers(runtime: ServiceRuntime, context: ContextSlot[Context]) -> Pipeline:
    """The pipeline's subscribers; their handlers read the Context built at start."""
    pipeline = Pipeline(handler_table(context), runtime)
    pipeline.subscribe()
    return pipeline
