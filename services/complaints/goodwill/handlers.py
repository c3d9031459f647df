"""Goodwill grants: once per (case, reason), within the client's cap for the period.

A grant's id follows from the case and the reason, so granting twice (a rerun of the
SLA checker, a second replica, a manager's repeated click) changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from services.complaints.bootstrap import Context
from services.complaints.cases.model import Case
from services.complaints.goodwill.model import capped_amount, goodwill_period, grant_id
from services.complaints.goodwill.repository import GOODWILL
from shared.contracts import from_minor_units
from shared.contracts.complaints import GoodwillGranted
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


async def grant_goodwill(
    ctx: Context,
    case: Case,
    reason: str,
    now: datetime,
    amount_cents: int | None = None,
    actor: str | None = None,
) -> GoodwillOutcome:
    """Grant goodwill for a case once per (case, reason), within the client's cap."""
    period = goodwill_period(now, ctx.policies.goodwill_period)
    async with ctx.locks(f"goodwill:{case.client_id}|{period}"):
        return await _grant(ctx, case, reason, now, period, amount_cents, actor)


async def _grant(
    ctx: Context,
    case: Case,
    reason: str,
    now: datetime,
    period: str,
    amount_cents: int | None,
    actor: str | None,
) -> GoodwillOutcome:
    p = ctx.policies
    gid = grant_id(case.id, reason)
    budget = await ctx.goodwill.budget(case.client_id, period)
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
    entries = await ctx.goodwill.record(case.client_id, period, gid, grant, events)
    await ctx.outbox.flush_quietly(GOODWILL, f"{case.client_id}|{period}", entries)
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
