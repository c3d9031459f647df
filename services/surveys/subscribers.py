"""Surveys' handler table: which handler takes which event, and on which consumer.

Everything around the handlers (decode, DLQ, dedup, the waiting room for events of a
client not known yet) is shared/messaging/pipeline.py. Each group is its own consumer
group (`surveys.<group>`), so one joining or leaving never rebalances the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from services.surveys import handlers, handlers_outreach, handlers_ratings
from services.surveys.handlers import Surveys
from shared.contracts.complaints import ComplaintFiled, ComplaintResolved
from shared.contracts.loyalty import BonusAccrued, ClientAtRisk
from shared.contracts.pos import PurchaseRecorded
from shared.contracts.registry import ClientErased, ClientMerged, ClientRegistered, ClientUpdated
from shared.contracts.surveys import SurveyAnswered
from shared.messaging.pipeline import HandlerTable, Pipeline
from shared.service import ServiceRuntime


def handler_table(ctx: Surveys) -> HandlerTable:
    table = HandlerTable()
    # One consumer for every client.* topic, one for both complaint topics: each keeps
    # one writer per document (FerretDB does not make concurrent upserts atomic).
    table.add(ClientRegistered, partial(handlers.remember_client, ctx), group="clients")
    table.add(ClientUpdated, partial(handlers.update_client, ctx), group="clients")
    table.add(ClientMerged, partial(handlers.merge_clients, ctx), group="clients")
    table.add(ClientErased, partial(handlers.erase_client, ctx), group="clients")
    table.add(PurchaseRecorded, partial(handlers_outreach.survey_after_visit, ctx))
    table.add(BonusAccrued, partial(handlers_outreach.birthday_greeting, ctx))
    table.add(ClientAtRisk, partial(handlers_outreach.win_back, ctx))
    table.add(ComplaintFiled, partial(handlers_ratings.complaint_filed, ctx), group="complaints")
    table.add(
        ComplaintResolved, partial(handlers_ratings.complaint_resolved, ctx), group="complaints"
    )
    table.add(SurveyAnswered, partial(handlers_ratings.count_answer, ctx))
    return table


def register_subscribers(runtime: ServiceRuntime, ctx: Surveys) -> Pipeline:
    async def known(keys: Sequence[str]) -> bool:
        return await handlers.known(ctx, keys)

    pipeline = Pipeline(handler_table(ctx), runtime, known)
    pipeline.subscribe()
    return pipeline
