"""The manager's goodwill decision on a case."""

from __future__ import annotations

from fastapi import APIRouter

from services.complaints.bootstrap import Ctx
from services.complaints.cases import handlers
from services.complaints.cases.api import Actor
from services.complaints.goodwill.handlers import GoodwillOutcome, grant_goodwill
from services.complaints.goodwill.schemas import GoodwillRequest
from shared.contracts import to_minor_units

router = APIRouter(prefix="/internal/v1", tags=["complaints"])


@router.post("/complaints/{case_id}/goodwill", response_model=GoodwillOutcome)
async def goodwill(
    case_id: str, body: GoodwillRequest, ctx: Ctx, actor: str | None = Actor
) -> GoodwillOutcome:
    """A manager's goodwill decision: once per case, within the client's cap."""
    ctx = ctx
    case = await handlers.get_case(ctx, case_id)
    cents = to_minor_units(body.amount) if body.amount is not None else None
    return await grant_goodwill(ctx, case, "manager_decision", ctx.clock(), cents, actor)
