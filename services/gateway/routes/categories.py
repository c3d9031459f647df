"""Categories and behaviour tags (the registry owns them; rules per category are loyalty's)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import Response

from services.gateway.upstream import forward, pass_on

router = APIRouter(prefix="/api/v1", tags=["categories"])

LISTS: tuple[tuple[str, str, str], ...] = (  # as the registry answers them
    ("/categories", "/internal/v1/categories", "Every category."),
    ("/tags", "/internal/v1/tags", "Every behaviour tag."),
)
pass_on(router, "registry", LISTS)  # first: before any /x/{param}


@router.post("/categories", status_code=201)
async def create_category(
    request: Request,
    body: dict[str, Any] = Body(
        ..., examples=[{"code": "wholesale", "name": "Wholesale", "description": "B2B buyers"}]
    ),
) -> Response:
    return await forward(request, "registry", "/internal/v1/categories", json_body=body)


@router.post("/tags", status_code=201)
async def create_tag(
    request: Request,
    body: dict[str, Any] = Body(
        ..., examples=[{"code": "talkative", "name": "Talkative", "tips": "Keep it short."}]
    ),
) -> Response:
    return await forward(request, "registry", "/internal/v1/tags", json_body=body)
