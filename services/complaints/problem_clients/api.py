"""Problem-client routes: the proposals with their evidence, and a manager's decision."""

from __future__ import annotations

from fastapi import APIRouter, Header, Request

from services.complaints.bootstrap import desk_of, utc_now
from services.complaints.problem_clients import handlers as handlers_problem
from services.complaints.problem_clients.schemas import ConfirmProblemRequest, Proposal

router = APIRouter(prefix="/internal/v1", tags=["complaints reports"])

Actor = Header(None, alias="X-Actor")


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
