"""Problem-client routes: the proposals with their evidence, and a manager's decision."""

from __future__ import annotations

from fastapi import APIRouter, Header

from services.complaints.bootstrap import Ctx
from services.complaints.problem_clients import handlers
from services.complaints.problem_clients.schemas import ConfirmProblemRequest, Proposal

router = APIRouter(prefix="/internal/v1", tags=["complaints reports"])

Actor = Header(None, alias="X-Actor")


@router.get("/problem-clients", response_model=list[Proposal])
async def problem_clients(ctx: Ctx) -> list[Proposal]:
    """Clients proposed as problem clients, with the evidence, for a manager to decide."""
    docs = await handlers.list_proposals(ctx)
    return [Proposal(client_id=d["_id"], **d) for d in docs]


@router.post("/problem-clients/{client_id}/confirm", response_model=Proposal)
async def confirm_problem_client(
    client_id: str, body: ConfirmProblemRequest, ctx: Ctx, actor: str | None = Actor
) -> Proposal:
    """A manager confirms: the registry makes the client a problem client."""
    doc = await handlers.confirm_proposal(ctx, client_id, body.reason, actor, ctx.clock())
    return Proposal(client_id=client_id, **{k: v for k, v in doc.items() if k != "_id"})


@router.post("/problem-clients/{client_id}/dismiss", response_model=Proposal)
async def dismiss_problem_client(client_id: str, ctx: Ctx, actor: str | None = Actor) -> Proposal:
    doc = await handlers.dismiss_proposal(ctx, client_id, actor, ctx.clock())
    return Proposal(client_id=client_id, **{k: v for k, v in doc.items() if k != "_id"})
