"""What the client card asks surveys: the client as surveys knows it, the latest scores."""

from __future__ import annotations

from services.surveys.bootstrap import Context, Ctx, context_of
from services.surveys.clients.model import KnownClient
from services.surveys.clients.schemas import KnownClientResponse
from services.surveys.ratings.schemas import ClientScoresResponse, LatestScore
from shared.client_projection import known_client_router


async def _known(ctx: Context, client_id: str) -> KnownClient | None:
    return await ctx.clients.get(client_id)


router = known_client_router("surveys", context_of, KnownClientResponse, _known)


@router.get("/clients/{client_id}/scores", response_model=ClientScoresResponse)
async def client_scores(client_id: str, ctx: Ctx) -> ClientScoresResponse:
    """The latest survey scores of a client, for the client card (empty when none)."""
    latest = [LatestScore(**e) for e in await ctx.ratings.latest_scores(client_id)]
    average = round(sum(s.score for s in latest) / len(latest), 2) if latest else None
    return ClientScoresResponse(client_id=client_id, latest=latest, average=average)
