"""Clients: register and the whole client card (fan-out to the services)."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter, Body, Request
from fastapi.responses import Response

from services.gateway import handlers
from services.gateway.model import ClientCard, UpstreamError
from services.gateway.upstream import forward, problem, unavailable, upstreams

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
        return await handlers.client_card(upstreams(request), client_id)
    except UpstreamError as exc:
        detail = exc.body.get("detail", "the registry refused the request")
        return problem(exc.status, "Request refused", str(detail))
    except httpx.HTTPError:
        return unavailable("registry")
