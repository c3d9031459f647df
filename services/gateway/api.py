"""The gateway's JSON API under /api/v1 (UNPROTECTED until staff auth lands)."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.gateway import handlers
from services.gateway.handlers import Upstreams
from services.gateway.model import ClientCard, UpstreamError
from services.gateway.schemas import RegisterClient

router = APIRouter(prefix="/api/v1", tags=["clients"])

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _upstreams(request: Request) -> Upstreams:
    upstreams: Upstreams = request.app.state.upstreams
    return upstreams


def upstream_problem(exc: UpstreamError) -> JSONResponse:
    detail = exc.body.get("detail", "the service refused the request")
    extra = {k: v for k, v in exc.body.items() if k != "detail"}
    if not isinstance(detail, str):
        extra["errors"] = detail
        detail = "the request is not valid"
    return problem(exc.status, "Request refused", detail, **extra)


@router.post("/clients", status_code=201)
async def register_client(body: RegisterClient, request: Request) -> Any:
    try:
        return await handlers.register_client(
            _upstreams(request), body.model_dump(exclude_none=True)
        )
    except UpstreamError as exc:
        return upstream_problem(exc)
    except httpx.HTTPError:
        return problem(503, "Service unavailable", "the registry does not answer; try again")


@router.get("/clients/{client_id}", response_model=ClientCard)
async def client_card(client_id: str, request: Request) -> Any:
    try:
        return await handlers.client_card(_upstreams(request), client_id)
    except UpstreamError as exc:
        return upstream_problem(exc)
    except httpx.HTTPError:
        return problem(503, "Service unavailable", "the registry does not answer; try again")
