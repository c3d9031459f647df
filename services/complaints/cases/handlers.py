"""Case commands: open a case (staff or a low survey score), change its status, read it.

Each handler loads, decides with the pure rules (model*.py), writes the case and its
events in one document write (outbox) and publishes at once.
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, uuid4, uuid5

from pymongo.errors import DuplicateKeyError

from services.complaints.bootstrap import Context
from services.complaints.cases.model import (
    Case,
    CaseDraft,
    CaseNotFound,
    Escalation,
    HistoryEntry,
    KnownClient,
    check_topic,
    transition,
)
from services.complaints.cases.repository import CASES
from services.complaints.priority.handlers import VALUABLE
from services.complaints.priority.model import PriorityDecision, decide_priority
from services.complaints.problem_clients.handlers import note_unfounded_claim
from services.complaints.sla.model import sla_deadlines
from shared.contracts.complaints import ComplaintEscalated, ComplaintFiled, ComplaintResolved
from shared.contracts.surveys import SurveyAnswered
from shared.logging import get_logger

log = get_logger(__name__)


def survey_case_id(survey_id: str) -> str:
    """One survey opens at most one case: its id follows from the survey's."""
    return uuid5(NAMESPACE_URL, f"clientele:survey-case:{survey_id}").hex


def new_case(
    case_id: str,
    draft: CaseDraft,
    client: KnownClient,
    decision: PriorityDecision,
    ctx: Context,
    actor: str | None,
    now: datetime,
    survey_id: str | None = None,
) -> Case:
    opened_at = min(draft.received_at or now, now)
    first_due, resolution_due = sla_deadlines(opened_at, decision.priority, ctx.policies.sla)
    case = Case(
        id=case_id,
        **draft.model_dump(exclude={"received_at"}),
        survey_id=survey_id,
        priority=decision.priority,
        priority_reasons=list(decision.reasons),
        notes=list(decision.notes),
        manager_id=client.manager_id,
        client_category=client.category,
        client_tier=client.tier,
        opened_at=opened_at,
        first_response_due=first_due,
        resolution_due=resolution_due,
        history=[HistoryEntry(at=now, actor=actor, action="opened", to_status="new")],
    )
    if decision.escalate:
        reason = VALUABLE + ", ".join(decision.reasons[1:])
        case.escalations.append(Escalation(at=now, reason=reason, manager_id=client.manager_id))
        case.history.append(HistoryEntry(at=now, actor=actor, action="escalated", comment=reason))
    return case


def announce(case: Case) -> list[ComplaintFiled | ComplaintEscalated]:
    events: list[ComplaintFiled | ComplaintEscalated] = [
        ComplaintFiled(
            complaint_id=case.id,
            client_id=case.client_id,
            kind=case.kind,
            channel=case.channel,
            topic=case.topic,
            priority=case.priority,
            employee_id=case.employee_id,
            store_id=case.store_id,
            purchase_id=case.purchase_id,
            survey_id=case.survey_id,
            opened_at=case.opened_at,
            client_category=case.client_category,
            client_tier=case.client_tier,
        )
    ]
    events.extend(
        ComplaintEscalated(
            complaint_id=case.id,
            client_id=case.client_id,
            reason=e.reason,
            priority=case.priority,
            manager_id=e.manager_id,
            deadline=case.deadline,
        )
        for e in case.escalations
    )
    return events


async def open_case(
    ctx: Context,
    draft: CaseDraft,
    actor: str | None,
    now: datetime,
    case_id: str | None = None,
    survey_id: str | None = None,
) -> tuple[Case, bool]:
    """Open a case; (case, False) when a case with this id exists already."""
    check_topic(draft.topic, ctx.policies.taxonomy)
    client = await ctx.clients.get_or_default(draft.client_id)
    decision = decide_priority(draft.kind, client, ctx.policies.value)
    case = new_case(case_id or uuid4().hex, draft, client, decision, ctx, actor, now, survey_id)
    try:
        entries = await ctx.cases.add(case, announce(case))
    except DuplicateKeyError:
        existing = await ctx.cases.get(case.id)
        if existing is None:
            raise
        await ctx.cases.sync_board(existing)  # the add above touched its board entry
        return existing, False
    await ctx.outbox.flush_quietly(CASES, case.id, entries)
    log.info("case_opened", case_id=case.id, client_id=case.client_id, priority=case.priority)
    return case, True


async def open_case_from_survey(ctx: Context, event: SurveyAnswered, now: datetime) -> Case | None:
    """A score below the threshold opens one case per survey (a replay opens none)."""
    if event.score >= ctx.policies.survey_case_threshold:
        return None
    draft = CaseDraft(
        client_id=event.client_id,
        kind="complaint",
        channel="sms_survey",
        topic=ctx.policies.survey_case_topic,
        text=event.comment or f"survey score {event.score}",
        employee_id=event.employee_id,
        store_id=event.store_id,
        received_at=event.occurred_at,
    )
    case, _ = await open_case(
        ctx, draft, None, now, survey_case_id(event.survey_id), event.survey_id
    )
    return case


async def get_case(ctx: Context, case_id: str) -> Case:
    case = await ctx.cases.get(case_id)
    if case is None:
        raise CaseNotFound(case_id)
    return case


async def change_status(
    ctx: Context,
    case_id: str,
    to: str,
    actor: str | None,
    now: datetime,
    comment: str | None = None,
    founded: bool | None = None,
) -> Case:
    """Move a case along the workflow; InvalidTransition names the allowed statuses."""
    async with ctx.locks(f"case:{case_id}"):
        updated, case, resolves = await _change_status(
            ctx, case_id, to, actor, now, comment, founded
        )
    if resolves and founded is False and case.kind == "claim":
        await note_unfounded_claim(ctx, case.client_id, case.id, now)
    log.info("case_status_changed", case_id=case.id, status=to, actor=actor)
    return updated


async def _change_status(
    ctx: Context,
    case_id: str,
    to: str,
    actor: str | None,
    now: datetime,
    comment: str | None,
    founded: bool | None,
) -> tuple[Case, Case, bool]:
    case = await get_case(ctx, case_id)
    change = transition(case, to, actor, now, comment)
    fields: dict[str, object] = dict(change.fields)
    events: list[ComplaintResolved] = []
    if change.resolves:
        fields.update(resolution=comment, founded=founded)
        events.append(
            ComplaintResolved(
                complaint_id=case.id,
                client_id=case.client_id,
                resolution=comment or "",
                founded=founded,
                employee_id=case.employee_id,
            )
        )
    entries = await ctx.cases.update(
        case.id, fields, {"history": [change.entry.model_dump()]}, events
    )
    updated = await get_case(ctx, case.id)
    await ctx.cases.sync_board(updated)
    await ctx.outbox.flush_quietly(CASES, case.id, entries)
    return updated, case, change.resolves
