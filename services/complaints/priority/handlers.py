"""Priority follows the client's live value: when a client becomes valuable (VIP, a top
tier, a high lifetime spend), their open cases become critical and escalate to the
personal manager, once per case."""

from __future__ import annotations

from datetime import datetime

from services.complaints.bootstrap import Context
from services.complaints.cases.model import Case, Escalation, HistoryEntry, KnownClient
from services.complaints.cases.repository import CASES
from services.complaints.priority.model import decide_priority
from services.complaints.sla.model import sla_deadlines
from shared.contracts.complaints import ComplaintEscalated
from shared.logging import get_logger

log = get_logger(__name__)

VALUABLE = "valuable client: "


def escalated_for_value(case: Case) -> bool:
    return any(e.reason.startswith(VALUABLE) for e in case.escalations)


async def follow_client_value(ctx: Context, client_id: str, now: datetime) -> int:
    """Raise and escalate the client's open cases the client's value now calls for."""
    case_ids = await ctx.cases.case_ids_of(client_id)
    if not case_ids:  # most clients: no case, no need to read who they are (2 reads)
        return 0
    client = await ctx.clients.get_or_default(client_id)
    raised = 0
    for case_id in case_ids:
        async with ctx.locks(f"case:{case_id}"):
            case = await ctx.cases.get(case_id)
            if case is not None and case.is_open and not escalated_for_value(case):
                raised += await raise_case(ctx, case, client, now)
    return raised


async def raise_case(ctx: Context, case: Case, client: KnownClient, now: datetime) -> int:
    decision = decide_priority(case.kind, client, ctx.policies.value)
    if not decision.escalate:
        return 0
    first_due, resolution_due = sla_deadlines(case.opened_at, decision.priority, ctx.policies.sla)
    reason = VALUABLE + ", ".join(decision.reasons[1:])
    escalation = Escalation(at=now, reason=reason, manager_id=client.manager_id)
    entry = HistoryEntry(at=now, actor=None, action="escalated", comment=reason)
    event = ComplaintEscalated(
        complaint_id=case.id,
        client_id=case.client_id,
        reason=reason,
        priority=decision.priority,
        manager_id=client.manager_id,
        deadline=first_due if case.first_response_at is None else resolution_due,
    )
    fields = {
        "priority": decision.priority,
        "priority_reasons": list(decision.reasons),
        "manager_id": client.manager_id,
        "first_response_due": first_due,
        "resolution_due": resolution_due,
    }
    push = {"escalations": [escalation.model_dump()], "history": [entry.model_dump()]}
    entries = await ctx.cases.update(case.id, fields, push, [event])
    updated = await ctx.cases.get(case.id)
    if updated is not None:
        await ctx.cases.sync_board(updated)
    await ctx.outbox.flush_quietly(CASES, case.id, entries)
    log.info("case_raised_for_client_value", case_id=case.id, client_id=case.client_id)
    return 1
