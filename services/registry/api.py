"""The registry's internal HTTP routes for clients and their cards (called by the gateway).

Domain errors become 4xx answers through the shared error table (shared/problems.py).
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from services.registry import handlers, handlers_changes, handlers_search
from services.registry.handlers import Registry
from services.registry.model_changes import ClientChanges
from services.registry.schemas import (
    BlockCardRequest,
    CardRequest,
    ClientResponse,
    DuplicateHint,
    RegisterClientRequest,
    RegisteredResponse,
    ReplaceCardRequest,
    SearchResponse,
)

router = APIRouter(prefix="/internal/v1", tags=["clients"])


def registry(request: Request) -> Registry:
    """The repositories, built on the first request (the store opens in the lifespan)."""
    state = request.app.state
    built: Registry | None = getattr(state, "registry", None)
    if built is None:
        built = state.registry = Registry.of(state.runtime, state.locks)
    return built


def actor_of(request: Request, given: str | None) -> str | None:
    """Who acts: the body's `actor`, else the `X-Actor` header the gateway or a service sets."""
    return given or request.headers.get("x-actor")


async def card_view(reg: Registry, client_id: str, signals: bool = True) -> ClientResponse:
    view = await handlers.client_view(reg, client_id, signals)
    return ClientResponse.of(view.client, **view.extra)


@router.post("/clients", status_code=201, response_model=RegisteredResponse)
async def register(body: RegisterClientRequest, request: Request) -> RegisteredResponse:
    reg = registry(request)
    body = body.model_copy(update={"actor": actor_of(request, body.actor)})
    done = await handlers.register_client(reg, body)
    hints = [
        DuplicateHint(id=c.id, name=c.name, birthday=c.birthday) for c in done.possible_duplicates
    ]
    tips = await reg.catalog.tags_of(done.client.tags)
    return RegisteredResponse(
        **ClientResponse.of(done.client, handling_tips=tips).model_dump(), possible_duplicates=hints
    )


@router.get("/clients", response_model=SearchResponse)
async def search_clients(
    request: Request,
    q: str = Query(min_length=1, max_length=200, description="card, phone, email or name"),
    page: int = Query(1, ge=1, le=10_000),
    page_size: int = Query(20, ge=1, le=100),
) -> SearchResponse:
    found = await handlers_search.search(registry(request), q, page, page_size)
    return SearchResponse(
        query=q,
        match=found.match,
        page=page,
        page_size=page_size,
        total=found.total,
        items=found.items,
    )


@router.get("/clients/{client_id}", response_model=ClientResponse)
async def get_client(
    client_id: str,
    request: Request,
    signals: bool = Query(True, description="false: skip the signals (their reads)"),
) -> ClientResponse:
    return await card_view(registry(request), client_id, signals)


@router.patch("/clients/{client_id}", response_model=ClientResponse)
async def change_client(client_id: str, body: ClientChanges, request: Request) -> ClientResponse:
    reg = registry(request)
    changes = body.model_copy(update={"actor": actor_of(request, body.actor)})
    await handlers_changes.update_client(reg, client_id, changes)
    return await card_view(reg, client_id)


@router.post("/clients/{client_id}/cards", status_code=201, response_model=ClientResponse)
async def add_card(client_id: str, body: CardRequest, request: Request) -> ClientResponse:
    reg = registry(request)
    await handlers_changes.add_card(reg, client_id, body.card_number)
    return await card_view(reg, client_id)


@router.post("/clients/{client_id}/cards/{number}/block", response_model=ClientResponse)
async def block_card(
    client_id: str, number: str, body: BlockCardRequest, request: Request
) -> ClientResponse:
    reg = registry(request)
    await handlers_changes.block_card(reg, client_id, number, body.reason)
    return await card_view(reg, client_id)


@router.post("/clients/{client_id}/cards/{number}/replace", response_model=ClientResponse)
async def replace_card(
    client_id: str, number: str, body: ReplaceCardRequest, request: Request
) -> ClientResponse:
    reg = registry(request)
    await handlers_changes.replace_card(reg, client_id, number, body.reason, body.card_number)
    return await card_view(reg, client_id)
