"""Internal routes for a client's club cards: issue or bind, block, replace."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.registry.cards import handlers
from services.registry.cards.schemas import BlockCardRequest, CardRequest, ReplaceCardRequest
from services.registry.identity.api import card_view, registry
from services.registry.identity.schemas import ClientResponse

router = APIRouter(prefix="/internal/v1", tags=["clients"])


@router.post("/clients/{client_id}/cards", status_code=201, response_model=ClientResponse)
async def add_card(client_id: str, body: CardRequest, request: Request) -> ClientResponse:
    reg = registry(request)
    await handlers.add_card(reg, client_id, body.card_number)
    return await card_view(reg, client_id)


@router.post("/clients/{client_id}/cards/{number}/block", response_model=ClientResponse)
async def block_card(
    client_id: str, number: str, body: BlockCardRequest, request: Request
) -> ClientResponse:
    reg = registry(request)
    await handlers.block_card(reg, client_id, number, body.reason)
    return await card_view(reg, client_id)


@router.post("/clients/{client_id}/cards/{number}/replace", response_model=ClientResponse)
async def replace_card(
    client_id: str, number: str, body: ReplaceCardRequest, request: Request
) -> ClientResponse:
    reg = registry(request)
    await handlers.replace_card(reg, client_id, number, body.reason, body.card_number)
    return await card_view(reg, client_id)
