"""The registry's search route: by card number, phone, email or name."""

from __future__ import annotations

from fastapi import APIRouter, Query

from services.registry.bootstrap import Ctx
from services.registry.search import handlers
from services.registry.search.schemas import SearchResponse

router = APIRouter(prefix="/internal/v1", tags=["clients"])


@router.get("/clients", response_model=SearchResponse)
async def search_clients(
    ctx: Ctx,
    q: str = Query(min_length=1, max_length=200, description="card, phone, email or name"),
    page: int = Query(1, ge=1, le=10_000),
    page_size: int = Query(20, ge=1, le=100),
) -> SearchResponse:
    found = await handlers.search(ctx, q, page, page_size)
    return SearchResponse(
        query=q,
        match=found.match,
        page=page,
        page_size=page_size,
        total=found.total,
        items=found.items,
    )
