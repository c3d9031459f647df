"""The SLA checker and goodwill: breaches escalate; a missed resolution earns goodwill.

The checker reads only the open-case board entries whose next check is due. Running
it twice (or in two replicas) changes nothing the second time: a case remembers the
breaches it escalated, and a goodwill grant's id follows from the case and reason.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from services.complaints.dependencies import Desk
from services.complaints.model import Breach, Case, Escalation, HistoryEntry
from services.complaints.model_goodwill import capped_amount, goodwill_period, grant_id
from services.complaints.model_sla import due_breaches
from services.complaints.repository import CASES
from services.complaints.repository_reports import GOODWILL
from shared.contracts import from_minor_units, to_minor_units
from shared.contracts.complaints import ComplaintEscalated, GoodwillGranted
from shared.logging import get_logger

log = get_logger(__name__)


class GoodwillOutcome(BaseModel):
    grant_id: str
    client_id: str
    complaint_id: str
    amount: Decimal
    currency: str
    granted_now: bool = Field(description="False when this grant was made before")
    capped: bool


class SlaCheckReport(BaseModel):
    checked_at: datetime
    cases_checked: int = 0
    escalations: list[dict[str, str]] = Field(default_factory=list)
    goodwill: list[GoodwillOutcome] = Field(default_factory=list)


async def grant_goodwill(
    desk: Desk,
    case: Case,
    reason: str,
    now: datetime,
    amount_cents: int | None = None,
    actor: str | None = None,
) -> GoodwillOutcome:
    """Grant goodwill for a case once per (case, reason), within the client's cap."""
    period = goodwill_period(now, desk.policies.goodwill_period)
    async with desk.locks(f"goodwill:{case.client_id}|{period}"):
        return await _grant(desk, case, reason, now, period, amount_cents, actor)


async def _grant(
    desk: Desk,
    case: Case,
    reason: str,
    now: datetime,
    period: str,
    amount_cents: int | None,
    actor: str | None,
) -> GoodwillOutcome:
    p = desk.policies
    gid = grant_id(case.id, reason)
    budget = await desk.goodwill.budget(case.client_id, period)
    grants: dict[str, Any] = budget.get("grants", {})
    if gid in grants:
        cents = int(grants[gid]["cents"])
        return outcome(
            gid, case, cents, p.currency, granted_now=False, capped=grants[gid]["capped"]
        )
    used = sum(int(g["cents"]) for g in grants.values())
    requested = amount_cents if amount_cents is not None else p.goodwill_cents
    cents = capped_amount(requested, used, p.goodwill_cap_cents)
    events = []
    if cents > 0:
        events.append(
            GoodwillGranted(
                grant_id=gid,
                client_id=case.client_id,
                amount=from_minor_units(cents),
                currency=p.currency,
                reason=reason,
                complaint_id=case.id,
            )
        )
    grant = {
        "cents": cents,
        "capped": cents < requested,
        "case_id": case.id,
        "reason": reason,
        "actor": actor,
        "at": now,
    }
    entries = await desk.goodwill.record(case.client_id, period, gid, grant, events)
    await desk.outbox.flush_quietly(GOODWILL, f"{case.client_id}|{period}", entries)
    log.info("goodwill_granted", client_id=case.client_id, case_id=case.id, cents=cents)
    return outcome(gid, case, cents, p.currency, granted_now=True, capped=cents < requested)


def outcome(
    gid: str, case: Case, cents: int, currency: str, *, granted_now: bool, capped: bool
) -> GoodwillOutcome:
    return GoodwillOutcome(
        grant_id=gid,
        client_id=case.client_id,
        complaint_id=case.id,
        amount=from_minor_units(cents),
        currency=currency,
        granted_now=granted_now,
        capped=capped,
    )


async def escalate_breaches(desk: Desk, case: Case, breaches: list[Breach], now: datetime) -> None:
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
    entries = await desk.cases.update(
        case.id,
        {"breaches": [*case.breaches, *breaches]},
        {
            "escalations": [e.model_dump() for e in escalations],
            "history": [h.model_dump() for h in history],
        },
        events,
    )
    updated = await desk.cases.get(case.id)
    if updated is not None:
        await desk.cases.sync_board(updated)
    await desk.outbox.flush_quietly(CASES, case.id, entries)


async def check_case(desk: Desk, case_id: str, now: datetime, report: SlaCheckReport) -> None:
    case = await desk.cases.get(case_id)
    if case is None or not case.is_open:
        await desk.cases.drop_from_board(case_id)  # left by a crash or a race
        return
    report.cases_checked += 1
    breaches = due_breaches(case, now)
    if not breaches:
        await desk.cases.sync_board(case)
        return
    if "resolution" in breaches:
        # Granted before the breach is recorded: a crash in between re-runs both.
        report.goodwill.append(await grant_goodwill(desk, case, "sla_resolution_breached", now))
    await escalate_breaches(desk, case, breaches, now)
    report.escalations.extend({"complaint_id": case.id, "breach": b} for b in breaches)


async def check_sla(desk: Desk, now: datetime) -> SlaCheckReport:
    """Escalate every deadline missed by `now`; goodwill for a missed resolution."""
    report = SlaCheckReport(checked_at=now)
    for entry in await desk.cases.due_for_check(now):
        async with desk.locks(f"case:{entry['_id']}"):
            await check_case(desk, entry["_id"], now, report)
    if report.escalations:
        log.info("sla_breaches_escalated", count=len(report.escalations))
    return report


def cents(amount: Decimal | None) -> int | None:
    return None if amount is None else to_minor_units(amount)
