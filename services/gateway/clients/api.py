"""Clients: register and the whole client card (fan-out to the services)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import Response

from services.gateway.bootstrap import context_in
from services.gateway.clients import handlers
from services.gateway.clients.model import ClientCard, UpstreamError
from services.gateway.upstream import UpstreamDown, forward, unavailable
from shared.problems import upstream_problem

router = APIRouter(prefix="/api/v1", tags=["clients"])


@router.post("/clients", status_code=201)
async def register_client(
    request: Request,
    body: dict[str, Any] = Body(
        ...,
        examples=[{"name": "Ada Lovelace", "phone": "+49 30 1234567"}],
        description="The registry's registration form; the registry validates it.",
    ),
) -> Response:
    return await forward(request, "registry", "/internal/v1/clients", json_body=body)


@router.get("/clients/{client_id}", response_model=ClientCard)
async def client_card(client_id: str, request: Request) -> Any:
    try:
        ctx = context_in(request)
        return await handlers.client_card(ctx.upstreams, ctx.cards, client_id)
    except UpstreamError as exc:
        return upstream_problem(exc.status, exc.body)
    except UpstreamDown:
        return unavailable("registry")


@router.get("/clients")
async def search_clients(request: Request) -> Response:
    """Search by card number, phone (any format), email or name prefix (`q`, `page`, ...)."""
    return await forward(request, "registry", "/internal/v1/clients")


@router.patch("/clients/{client_id}")
async def change_client(
    client_id: str,
    request: Request,
    body: dict[str, Any] = Body(
        ...,
        examples=[{"category": "vip", "reason": "spends a lot", "manager_id": "E7"}],
        description="Fields to change: category (with reason), manager, consents, tags...",
    ),
) -> Response:
    return await forward(request, "registry", f"/internal/v1/clients/{client_id}", json_body=body)


@router.post("/clients/{client_id}/cards", status_code=201)
async def add_card(
    client_id: str, request: Request, body: dict[str, Any] = Body(default_factory=dict)
) -> Response:
    path = f"/internal/v1/clients/{client_id}/cards"
    return await forward(request, "registry", path, json_body=body)


@router.post("/clients/{client_id}/cards/{number}/{action}")
async def change_card(
    client_id: str, number: str, action: str, request: Request, body: dict[str, Any] = Body(...)
) -> Response:
    """`action` is `block` or `replace` (a lost card)."""
    path = f"/internal/v1/clients/{client_id}/cards/{number}/{action}"
    return await forward(request, "registry", path, json_body=body)


@router.post("/clients/{client_id}/{action}")
async def merge_or_erase(
    client_id: str, action: str, request: Request, body: dict[str, Any] = Body(default_factory=dict)
) -> Response:
    """`merge` (body: `survivor_id`) or `erase` (forget the client's personal data)."""
    path = f"/internal/v1/clients/{client_id}/{action}"
    return await forward(request, "registry", path, json_body=body)


@router.get("/managers/{manager_id}/clients")
async def clients_of_manager(manager_id: str, request: Request) -> Response:
    return await forward(request, "registry", f"/internal/v1/managers/{manager_id}/clients")
