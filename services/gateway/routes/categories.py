"""Categories and behaviour tags (the registry owns them; rules per category are loyalty's)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import Response

from services.gateway.upstream import forward

router = APIRouter(prefix="/api/v1", tags=["categories"])


@router.get("/categories")
async def list_categories(request: Request) -> Response:
    return await forward(request, "registry", "/internal/v1/categories")


@router.post("/categories", status_code=201)
async def create_category(
    request: Request,
    body: dict[str, Any] = Body(
        ..., examples=[{"code": "wholesale", "name": "Wholesale", "description": "B2B buyers"}]
    ),
) -> Response:
    return await forward(request, "registry", "/internal/v1/categories", json_body=body)


@router.get("/tags")
async def list_tags(request: Request) -> Response:
    return await forward(request, "registry", "/internal/v1/tags")


@router.post("/tags", status_code=201)
async def create_tag(
    request: Request,
    body: dict[str, Any] = Body(
        ..., examples=[{"code": "talkative", "name": "Talkative", "tips": "Keep it short."}]
    ),
) -> Response:
    return await forward(request, "registry", "/internal/v1/tags", json_body=body)
