"""The SLA checker: breaches escalate; a missed resolution earns goodwill.

The checker reads only the open-case board entries whose next check is due. Running
it twice (or in two replicas) changes nothing the second time: a case remembers the
breaches it escalated, and a goodwill grant's id follows from the case and reason.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from services.complaints.bootstrap import Context
from services.complaints.cases.model import Breach, Case, Escalation, HistoryEntry
from services.complaints.cases.repository import CASES
from services.complaints.goodwill.handlers import GoodwillOutcome, grant_goodwill
from services.complaints.sla.model import due_breaches
from shared.contracts.complaints import ComplaintEscalated
from shared.logging import get_logger

log = get_logger(__name__)


class SlaCheckReport(BaseModel):
    checked_at: datetime
    cases_checked: int = 0
    escalations: list[dict[str, str]] = Field(default_factory=list)
    goodwill: list[GoodwillOutcome] = Field(default_factory=list)


async def escalate_breaches(
    ctx: Context, case: Case, breaches: list[Breach], now: datetime
) -> None:
    """Record the missed deadlines on the case with one complaint.escalated each."""
    events, escalations, history = [], [], []
    for breach in breaches:
        deadline = case.first_response_due if breach == "first_response" else case.resolution_due
        reason = f"SLA breached: {breach.replace('_', ' ')} due {deadline.isoformat()}"
        escalations.append(Escalation(at=now, reason=reason, manager_id=case.manager_id))
        history.append(
            HistoryEntry(at=now, actor="sla-checker", action="escalated", comment=reason)
        )
        events.append(
            ComplaintEscalated(
                complaint_id=case.id,
                client_id=case.client_id,
                reason=reason,
                priority=case.priority,
                manager_id=case.manager_id,
                breach=breach,
                deadline=deadline,
            )
        )
    entries = await ctx.cases.update(
        case.id,
        {"breaches": [*case.breaches, *breaches]},
        {
            "escalations": [e.model_dump() for e in escalations],
            "history": [h.model_dump() for h in history],
        },
        events,
    )
    updated = await ctx.cases.get(case.id)
    if updated is not None:
        await ctx.cases.sync_board(updated)
    await ctx.outbox.flush_quietly(CASES, case.id, entries)


async def check_case(ctx: Context, case_id: str, now: datetime, report: SlaCheckReport) -> None:
    case = await ctx.cases.get(case_id)
    if case is None or not case.is_open:
        await ctx.cases.drop_from_board(case_id)  # left by a crash or a race
        return
    report.cases_checked += 1
    breaches = due_breaches(case, now)
    if not breaches:
        await ctx.cases.sync_board(case)
        return
    if "resolution" in breaches:
        # Granted before the breach is recorded: a crash in between re-runs both.
        report.goodwill.append(await grant_goodwill(ctx, case, "sla_resolution_breached", now))
    await escalate_breaches(ctx, case, breaches, now)
    report.escalations.extend({"complaint_id": case.id, "breach": b} for b in breaches)


async def check_sla(ctx: Context, now: datetime) -> SlaCheckReport:
    """Escalate every deadline missed by `now`; goodwill for a missed resolution."""
    report = SlaCheckReport(checked_at=now)
    for entry in await ctx.cases.due_for_check(now):
        async with ctx.locks(f"case:{entry['_id']}"):
            await check_case(ctx, entry["_id"], now, report)
    if report.escalations:
        log.info("sla_breaches_escalated", count=len(report.escalations))
    return report
