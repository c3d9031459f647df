"""The registry's internal HTTP routes for clients and their cards (called by the gateway).

Domain errors become 4xx answers in one place (`add_error_handlers`).
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse

from services.registry import handlers, handlers_changes, handlers_search
from services.registry.handlers import Registry
from services.registry.model import (
    ClientGone,
    ClientNotFound,
    DuplicateClient,
    InvalidClientData,
    InvalidPhone,
)
from services.registry.model_cards import CardNotActive, CardNotFound, InvalidCardNumber
from services.registry.model_catalog import CodeTaken, UnknownCode
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
    return Registry.of(request.app.state.runtime, request.app.state.locks)


def actor_of(request: Request, given: str | None) -> str | None:
    """Who acts: the body's `actor`, else the `X-Actor` header the gateway or a service sets."""
    return given or request.headers.get("x-actor")


async def card_view(reg: Registry, client_id: str) -> ClientResponse:
    view = await handlers.client_view(reg, client_id)
    return ClientResponse.of(view.client, **view.extra)


@router.post("/clients", status_code=201, response_model=RegisteredResponse)
async def register(body: RegisterClientRequest, request: Request) -> RegisteredResponse:
    reg = registry(request)
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
async def get_client(client_id: str, request: Request) -> ClientResponse:
    return await card_view(registry(request), client_id)


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


def _error(code: int, detail: str, **extra: object) -> JSONResponse:
    return JSONResponse({"detail": detail, **extra}, status_code=code)


def add_error_handlers(app: FastAPI) -> None:
    """Every domain error of the registry, answered as a 4xx that says what is wrong."""
    statuses: dict[type[Exception], int] = {
        InvalidPhone: 422,
        InvalidClientData: 422,
        InvalidCardNumber: 422,
        UnknownCode: 422,
        ClientNotFound: 404,
        CardNotFound: 404,
        CardNotActive: 409,
        CodeTaken: 409,
        ClientGone: 409,
    }

    async def duplicate(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DuplicateClient)
        return _error(
            409,
            str(exc),
            field=exc.field,
            value=exc.value,
            existing_client_id=exc.existing_client_id,
        )

    async def gone(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ClientGone)
        return _error(409, str(exc), status=exc.status, merged_into=exc.merged_into)

    async def not_found(request: Request, exc: Exception) -> JSONResponse:
        what = "client" if isinstance(exc, ClientNotFound) else "card"
        return _error(404, f"no {what} {exc}")

    async def refused(request: Request, exc: Exception) -> JSONResponse:
        return _error(statuses[type(exc)], str(exc))

    app.add_exception_handler(DuplicateClient, duplicate)
    app.add_exception_handler(ClientGone, gone)
    for error, status in statuses.items():
        if status == 404:
            app.add_exception_handler(error, not_found)
        elif error is not ClientGone:
            app.add_exception_handler(error, refused)
