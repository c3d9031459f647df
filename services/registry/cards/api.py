"""Internal routes for a client's club cards: issue or bind, block, replace."""

from __future__ import annotations

from fastapi import APIRouter

from services.registry.bootstrap import Ctx
from services.registry.cards import handlers
from services.registry.cards.schemas import BlockCardRequest, CardRequest, ReplaceCardRequest
from services.registry.identity.api import card_view
from services.registry.identity.schemas import ClientResponse

router = APIRouter(prefix="/internal/v1", tags=["clients"])


@router.post("/clients/{client_id}/cards", status_code=201, response_model=ClientResponse)
async def add_card(client_id: str, body: CardRequest, ctx: Ctx) -> ClientResponse:
    await handlers.add_card(ctx, client_id, body.card_number)
    return await card_view(ctx, client_id)


@router.post("/clients/{client_id}/cards/{number}/block", response_model=ClientResponse)
async def block_card(
    client_id: str, number: str, body: BlockCardRequest, ctx: Ctx
) -> ClientResponse:
    await handlers.block_card(ctx, client_id, number, body.reason)
    return await card_view(ctx, client_id)


@router.post("/clients/{client_id}/cards/{number}/replace", response_model=ClientResponse)
async def replace_card(
    client_id: str, number: str, body: ReplaceCardRequest, ctx: Ctx
) -> ClientResponse:
    await handlers.replace_card(ctx, client_id, number, body.reason, body.card_number)
    return await card_view(ctx, client_id)
