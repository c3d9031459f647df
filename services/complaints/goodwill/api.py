"""The manager's goodwill decision on a case."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.complaints.bootstrap import desk_of, utc_now
from services.complaints.cases import handlers
from services.complaints.cases.api import Actor
from services.complaints.goodwill.handlers import GoodwillOutcome, grant_goodwill
from services.complaints.goodwill.schemas import GoodwillRequest
from shared.contracts import to_minor_units

router = APIRouter(prefix="/internal/v1", tags=["complaints"])


@router.post("/complaints/{case_id}/goodwill", response_model=GoodwillOutcome)
async def goodwill(
    case_id: str, body: GoodwillRequest, request: Request, actor: str | None = Actor
) -> GoodwillOutcome:
    """A manager's goodwill decision: once per case, within the client's cap."""
    desk = desk_of(request)
    case = await handlers.get_case(desk, case_id)
    cents = to_minor_units(body.amount) if body.amount is not None else None
    return await grant_goodwill(desk, case, "manager_decision", utc_now(), cents, actor)
