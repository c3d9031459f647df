"""The surveys service's one Context: settings, store, repositories, publisher, the SMS
provider and the clock, built once at start by `bootstrap`.

Handlers take it as their first argument; the handler table and the periodic jobs read
it from the app's `ContextSlot`, routes get it as the `Ctx` dependency.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from services.surveys.answers.repository import AnswerStore
from services.surveys.clients.repository import ClientProjection, ComplaintState, OptOuts
from services.surveys.config import SurveysSettings
from services.surveys.dispatch.providers import SmsProvider
from services.surveys.dispatch.repository import ContactBudget, MessageStore
from services.surveys.ratings.repository import RatingStore
from services.surveys.templates.repository import TemplateStore
from shared.context import Clock, ServiceContext, context_dependency, utc_now
from shared.service import ServiceRuntime


@dataclass(frozen=True)
class Context(ServiceContext[SurveysSettings]):
    """Everything a surveys handler, job or route works with, built once at start."""

    provider: SmsProvider
    clients: ClientProjection
    complaints: ComplaintState
    opt_outs: OptOuts
    messages: MessageStore
    budget: ContactBudget
    templates: TemplateStore
    answers: AnswerStore
    ratings: RatingStore


def bootstrap(
    settings: SurveysSettings,
    runtime: ServiceRuntime,
    provider: SmsProvider,
    clock: Clock = utc_now,
) -> Context:
    """The service's Context over the store `runtime` opened (build_app's on_start)."""
    db = runtime.db
    return Context(
        settings=settings,
        store=db,
        outbox=runtime.outbox,
        publisher=runtime.publisher,
        provider=provider,
        clients=ClientProjection(db),
        complaints=ComplaintState(db),
        opt_outs=OptOuts(db),
        messages=MessageStore(db),
        budget=ContactBudget(db),
        templates=TemplateStore(db),
        answers=AnswerStore(db),
        ratings=RatingStore(db),
        clock=clock,
    )


context_of = context_dependency(Context)


Ctx = Annotated[Context, Depends(context_of)]
