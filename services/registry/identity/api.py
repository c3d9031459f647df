"""The registry's internal HTTP routes for registering a client and reading its card
(called by the gateway); the helpers every feature's routes share. Every route gets the
service's one Context as `ctx: Ctx` (bootstrap.py).

Domain errors become 4xx answers through the shared error table (shared/problems.py).
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from services.registry.bootstrap import Context, Ctx
from services.registry.identity import handlers
from services.registry.identity.schemas import (
    ClientResponse,
    DuplicateHint,
    RegisterClientRequest,
    RegisteredResponse,
)

router = APIRouter(prefix="/internal/v1", tags=["clients"])


def actor_of(request: Request, given: str | None) -> str | None:
    """Who acts: the body's `actor`, else the `X-Actor` header the gateway or a service sets."""
    return given or request.headers.get("x-actor")


async def card_view(ctx: Context, client_id: str, signals: bool = True) -> ClientResponse:
    view = await handlers.client_view(ctx, client_id, signals)
    return ClientResponse.of(view.client, **view.extra)


@router.post("/clients", status_code=201, response_model=RegisteredResponse)
async def register(body: RegisterClientRequest, request: Request, ctx: Ctx) -> RegisteredResponse:
    body = body.model_copy(update={"actor": actor_of(request, body.actor)})
    done = await handlers.register_client(ctx, body)
    hints = [
        DuplicateHint(id=c.id, name=c.name, birthday=c.birthday) for c in done.possible_duplicates
    ]
    tips = await ctx.catalog.tags_of(done.client.tags)
    return RegisteredResponse(
        **ClientResponse.of(done.client, handling_tips=tips).model_dump(), possible_duplicates=hints
    )


@router.get("/clients/{client_id}", response_model=ClientResponse)
async def get_client(
    client_id: str,
    ctx: Ctx,
    signals: bool = Query(True, description="false: skip the signals (their reads)"),
) -> ClientResponse:
    return await card_view(ctx, client_id, signals)
