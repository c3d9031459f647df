"""The complaints service's one Context: settings, policies, store, repositories,
publisher, locks and clock, built once at start by `bootstrap`.

Handlers take it as their first argument; the handler table and the SLA job read it
from the app's `ContextSlot`, routes get it as the `Ctx` dependency.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from services.complaints.cases.repository import CaseRepository
from services.complaints.clients.repository import ClientProjection
from services.complaints.config import ComplaintsSettings
from services.complaints.goodwill.repository import GoodwillRepository
from services.complaints.priority.model import ValuePolicy
from services.complaints.problem_clients.model import ProblemPolicy
from services.complaints.problem_clients.repository import ProblemRepository
from services.complaints.sla.model import BusinessHours, SlaPolicy
from services.complaints.trends.model import TrendPolicy
from services.complaints.trends.repository import TrendRepository
from shared.context import Clock, ServiceContext, context_dependency, utc_now
from shared.contracts import to_minor_units
from shared.identity import DEFAULT_REGION
from shared.messaging.keyed_locks import KeyedLocks
from shared.service import ServiceRuntime


@dataclass(frozen=True)
class Policies:
    taxonomy: list[str]
    value: ValuePolicy
    sla: SlaPolicy
    trend: TrendPolicy
    problem: ProblemPolicy
    survey_case_threshold: int
    survey_case_topic: str
    goodwill_cents: int
    goodwill_cap_cents: int
    goodwill_period: str
    currency: str
    registry_url: str
    registry_timeout_s: float
    region: str = DEFAULT_REGION  # phone numbers without a country code (shared.identity)

    @classmethod
    def from_settings(cls, s: ComplaintsSettings) -> Policies:
        hours = (
            BusinessHours.parse(s.business_hours, s.business_days, s.business_timezone)
            if s.business_hours
            else None
        )
        return cls(
            taxonomy=list(s.topics),
            value=ValuePolicy(
                frozenset(s.vip_categories), frozenset(s.top_tiers), s.high_value_spend
            ),
            sla=SlaPolicy(s.sla_first_response_hours, s.sla_resolution_hours, hours),
            trend=TrendPolicy(s.trend_window_weeks, s.trend_min_count, s.trend_ratio),
            problem=ProblemPolicy(
                s.problem_unfounded_claims, s.problem_returns, frozenset(s.problem_tags)
            ),
            survey_case_threshold=s.survey_case_threshold,
            survey_case_topic=s.survey_case_topic,
            goodwill_cents=to_minor_units(s.goodwill_amount),
            goodwill_cap_cents=to_minor_units(s.goodwill_cap),
            goodwill_period=s.goodwill_period,
            currency=s.currency,
            registry_url=s.registry_url,
            registry_timeout_s=s.registry_timeout_s,
            region=s.default_region,
        )


@dataclass(frozen=True)
class Context(ServiceContext[ComplaintsSettings]):
    """Everything a complaints handler, job or route works with, built once at start."""

    policies: Policies
    cases: CaseRepository
    clients: ClientProjection
    trends: TrendRepository
    goodwill: GoodwillRepository
    problems: ProblemRepository
    locks: KeyedLocks  # one per process: a case or a goodwill budget changes in turns


def bootstrap(
    settings: ComplaintsSettings,
    runtime: ServiceRuntime,
    clock: Clock = utc_now,
) -> Context:
    """The service's Context over the store `runtime` opened (build_app's on_start)."""
    db, outbox = runtime.db, runtime.outbox
    return Context(
        settings=settings,
        policies=Policies.from_settings(settings),
        store=db,
        outbox=outbox,
        publisher=runtime.publisher,
        cases=CaseRepository(db, outbox),
        clients=ClientProjection(db),
        trends=TrendRepository(db, outbox),
        goodwill=GoodwillRepository(db, outbox),
        problems=ProblemRepository(db),
        locks=KeyedLocks(),
        clock=clock,
    )


context_of = context_dependency(Context)


Ctx = Annotated[Context, Depends(context_of)]
