"""What complaints knows of a client (the gateway asks before it files a case)."""

from __future__ import annotations

from fastapi import APIRouter

from services.complaints.bootstrap import Ctx
from services.complaints.clients.schemas import KnownClientResponse
from shared.problems import NotFound

router = APIRouter(prefix="/internal/v1", tags=["complaints"])


@router.get("/clients/{client_id}", response_model=KnownClientResponse)
async def known_client(client_id: str, ctx: Ctx) -> KnownClientResponse:
    client = await ctx.clients.get(client_id)
    if client is None:
        raise NotFound(f"client {client_id} is not known to complaints yet")
    return KnownClientResponse(**client.model_dump())
