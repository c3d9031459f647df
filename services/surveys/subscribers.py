"""Surveys' handler table: which handler takes which event, and on which consumer.

Everything around the handlers (decode, DLQ, dedup, the waiting room for events of a
client not known yet) is shared/messaging/pipeline.py. Each group is its own consumer
group (`surveys.<group>`), so one joining or leaving never rebalances the others.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from services.surveys.bootstrap import Context
from services.surveys.clients import handlers as clients
from services.surveys.outreach import handlers as outreach
from services.surveys.outreach import visits
from services.surveys.ratings import handlers as ratings
from shared.client_projection import subscribe
from shared.context import ContextSlot
from shared.contracts.complaints import ComplaintFiled, ComplaintResolved
from shared.contracts.loyalty import BonusAccrued, ClientAtRisk
from shared.contracts.pos import PurchaseRecorded
from shared.contracts.registry import ClientErased, ClientMerged, ClientRegistered, ClientUpdated
from shared.contracts.surveys import SurveyAnswered
from shared.messaging.pipeline import Dedup, Handler, HandlerTable, Outcome, Pipeline
from shared.service import ServiceRuntime

Takes = Callable[[Context, Any], Awaitable[Any]]
PURCHASE_BATCH = 500


def handler_table(context: Callable[[], Context]) -> HandlerTable:
    def given_context(handler: Takes) -> Handler:
        async def handle(event: Any) -> Sequence[str] | None:
            made_known: Sequence[str] | None = await handler(context(), event)
            return made_known

        return handle

    table = HandlerTable()
    # One consumer for every client.* topic, one for both complaint topics: each keeps
    # one writer per document (FerretDB does not make concurrent upserts atomic).
    # A registration is recognised in the client's own document (remember_client).
    registered = given_context(clients.remember_client)
    table.add(ClientRegistered, registered, group="clients", dedup=Dedup.IN_DOCUMENTS)
    table.add(ClientUpdated, given_context(clients.update_client), group="clients")
    table.add(ClientMerged, given_context(clients.merge_clients), group="clients")
    table.add(ClientErased, given_context(clients.erase_client), group="clients")

    # Purchases come in bursts: planned a batch at a time (outreach/visits.py).
    async def after_visits(events: Sequence[PurchaseRecorded]) -> Outcome:
        return await visits.survey_after_visits(context(), events)

    table.add_batch(PurchaseRecorded, after_visits, max_records=PURCHASE_BATCH)
    # One bonus.accrued per purchase, nearly all no birthday: no inbox claim for them
    # (a greeting's message id comes from its ledger entry: a repeat finds it).
    greeting = given_context(outreach.birthday_greeting)
    table.add(BonusAccrued, greeting, dedup=Dedup.IN_DOCUMENTS)
    table.add(ClientAtRisk, given_context(outreach.win_back))
    table.add(ComplaintFiled, given_context(ratings.complaint_filed), group="complaints")
    table.add(ComplaintResolved, given_context(ratings.complaint_resolved), group="complaints")
    table.add(SurveyAnswered, given_context(ratings.count_answer))
    return table


def register_subscribers(runtime: ServiceRuntime, context: ContextSlot[Context]) -> Pipeline:
    """The pipeline's subscribers; their handlers read the Context built at start."""

    async def known(keys: Sequence[str]) -> bool:
        return await clients.known(context(), keys)

    return subscribe(handler_table(context), runtime, known)
