"""Internal routes that change a client: its fields (PATCH), merge two, erase one."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.registry.bootstrap import Ctx
from services.registry.changes import handlers
from services.registry.changes.model import ClientChanges
from services.registry.changes.schemas import EraseRequest, MergeRequest
from services.registry.identity.api import actor_of, card_view
from services.registry.identity.schemas import ClientResponse

router = APIRouter(prefix="/internal/v1", tags=["clients"])


@router.patch("/clients/{client_id}", response_model=ClientResponse)
async def change_client(
    client_id: str, body: ClientChanges, request: Request, ctx: Ctx
) -> ClientResponse:
    changes = body.model_copy(update={"actor": actor_of(request, body.actor)})
    await handlers.update_client(ctx, client_id, changes)
    return await card_view(ctx, client_id)


@router.post("/clients/{client_id}/merge", response_model=ClientResponse, tags=["identity"])
async def merge(client_id: str, body: MergeRequest, request: Request, ctx: Ctx) -> ClientResponse:
    """Merge `client_id` into `survivor_id`; answers with the survivor's card."""
    actor = actor_of(request, body.actor)
    survivor = await handlers.merge_clients(ctx, client_id, body.survivor_id, actor)
    return await card_view(ctx, survivor.id)


@router.post("/clients/{client_id}/erase", response_model=ClientResponse, tags=["identity"])
async def erase(
    client_id: str, request: Request, ctx: Ctx, body: EraseRequest | None = None
) -> ClientResponse:
    actor = actor_of(request, body.actor if body else None)
    erased = await handlers.erase_client(ctx, client_id, actor)
    return ClientResponse.of(erased)
