"""Complaints' internal routes for the SLA checker, trend reports and problem clients."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Header, Query, Request

from services.complaints import handlers_problem, handlers_trends
from services.complaints.api import desk_of
from services.complaints.dependencies import utc_now
from services.complaints.handlers_sla import SlaCheckReport, check_sla
from services.complaints.handlers_trends import TrendLine
from services.complaints.model_trends import iso_week, week_start
from services.complaints.schemas import ConfirmProblemRequest, Proposal
from shared.problems import Invalid

router = APIRouter(prefix="/internal/v1", tags=["complaints reports"])

Actor = Header(None, alias="X-Actor")


def when(now: datetime | None) -> datetime:
    if now is None:
        return utc_now()
    return now if now.tzinfo else now.replace(tzinfo=UTC)


def checked_week(week: str | None) -> str:
    if week is None:
        return iso_week(utc_now())
    try:
        week_start(week)
    except ValueError as exc:  # it names the expected form
        raise Invalid(str(exc)) from exc
    return week


@router.post("/sla/check", response_model=SlaCheckReport)
async def run_sla_check(
    request: Request,
    now: datetime | None = Query(None, description="check as of this time (tests, replays)"),
) -> SlaCheckReport:
    """Run the SLA checker once (the service also runs it every `sla_check_interval_s`)."""
    return await check_sla(desk_of(request), when(now))


@router.get("/reports/complaint-trends", response_model=list[TrendLine])
async def complaint_trends(
    request: Request, week: str | None = None, segment: str | None = None
) -> list[TrendLine]:
    """Weekly counts per topic and segment, rising ones first (week: e.g. 2026-W47)."""
    return await handlers_trends.trend_report(desk_of(request), checked_week(week), segment)


@router.post("/reports/complaint-trends/detect", response_model=list[TrendLine])
async def detect_trends(request: Request, week: str | None = None) -> list[TrendLine]:
    """Flag rising topics of a week and announce each once (complaint.trend_detected)."""
    return await handlers_trends.detect_trends(desk_of(request), checked_week(week), utc_now())


@router.get("/problem-clients", response_model=list[Proposal])
async def problem_clients(request: Request) -> list[Proposal]:
    """Clients proposed as problem clients, with the evidence, for a manager to decide."""
    docs = await handlers_problem.list_proposals(desk_of(request))
    return [Proposal(client_id=d["_id"], **d) for d in docs]


@router.post("/problem-clients/{client_id}/confirm", response_model=Proposal)
async def confirm_problem_client(
    client_id: str, body: ConfirmProblemRequest, request: Request, actor: str | None = Actor
) -> Proposal:
    """A manager confirms: the registry makes the client a problem client."""
    doc = await handlers_problem.confirm_proposal(
        desk_of(request), client_id, body.reason, actor, utc_now()
    )
    return Proposal(client_id=client_id, **{k: v for k, v in doc.items() if k != "_id"})


@router.post("/problem-clients/{client_id}/dismiss", response_model=Proposal)
async def dismiss_problem_client(
    client_id: str, request: Request, actor: str | None = Actor
) -> Proposal:
    doc = await handlers_problem.dismiss_proposal(desk_of(request), client_id, actor, utc_now())
    return Proposal(client_id=client_id, **{k: v for k, v in doc.items() if k != "_id"})
