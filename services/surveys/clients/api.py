"""What the client card asks surveys: the client as surveys knows it, the latest scores."""

from __future__ import annotations

from fastapi import APIRouter

from services.surveys.bootstrap import Ctx
from services.surveys.clients.schemas import KnownClientResponse
from services.surveys.ratings.schemas import ClientScoresResponse, LatestScore
from shared.problems import NotFound

router = APIRouter(prefix="/internal/v1", tags=["surveys"])


@router.get("/clients/{client_id}", response_model=KnownClientResponse)
async def known_client(client_id: str, ctx: Ctx) -> KnownClientResponse:
    client = await ctx.clients.get(client_id)
    if client is None:
        raise NotFound(f"client {client_id} is not known to surveys yet")
    return KnownClientResponse(**client.model_dump())


@router.get("/clients/{client_id}/scores", response_model=ClientScoresResponse)
async def client_scores(client_id: str, ctx: Ctx) -> ClientScoresResponse:
    """The latest survey scores of a client, for the client card (empty when none)."""
    latest = [LatestScore(**e) for e in await ctx.ratings.latest_scores(client_id)]
    average = round(sum(s.score for s in latest) / len(latest), 2) if latest else None
    return ClientScoresResponse(client_id=client_id, latest=latest, average=average)
