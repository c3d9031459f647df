"""What complaints knows of a client (the gateway asks before it files a case)."""

from __future__ import annotations

from services.complaints.bootstrap import Context, context_of
from services.complaints.cases.model import KnownClient
from services.complaints.clients.schemas import KnownClientResponse
from shared.client_projection import known_client_router


async def _known(ctx: Context, client_id: str) -> KnownClient | None:
    return await ctx.clients.get(client_id)


router = known_client_router("complaints", context_of, KnownClientResponse, _known)
