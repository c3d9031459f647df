"""Internal routes that change who a client is: merge two, erase one."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.registry import handlers_identity
from services.registry.api import actor_of, card_view, registry
from services.registry.schemas import ClientResponse, EraseRequest, MergeRequest

router = APIRouter(prefix="/internal/v1", tags=["identity"])


@router.post("/clients/{client_id}/merge", response_model=ClientResponse)
async def merge(client_id: str, body: MergeRequest, request: Request) -> ClientResponse:
    """Merge `client_id` into `survivor_id`; answers with the survivor's card."""
    reg = registry(request)
    actor = actor_of(request, body.actor)
    survivor = await handlers_identity.merge_clients(reg, client_id, body.survivor_id, actor)
    return await card_view(reg, survivor.id)


@router.post("/clients/{client_id}/erase", response_model=ClientResponse)
async def erase(
    client_id: str, request: Request, body: EraseRequest | None = None
) -> ClientResponse:
    reg = registry(request)
    actor = actor_of(request, body.actor if body else None)
    erased = await handlers_identity.erase_client(reg, client_id, actor)
    return ClientResponse.of(erased)
