"""Internal routes for categories, behaviour tags and managers' client lists."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter

from services.registry.bootstrap import Ctx
from services.registry.catalog.model import Category, Tag
from services.registry.identity.schemas import ClientResponse

router = APIRouter(prefix="/internal/v1", tags=["catalog"])


@router.get("/categories", response_model=list[Category])
async def list_categories(ctx: Ctx) -> list[Category]:
    return await ctx.catalog.list_categories()


@router.post("/categories", status_code=201, response_model=Category)
async def create_category(body: Category, ctx: Ctx) -> Category:
    category = body.model_copy(update={"built_in": False})
    await ctx.catalog.create_category(category)
    return category


@router.get("/tags", response_model=list[Tag])
async def list_tags(ctx: Ctx) -> list[Tag]:
    return await ctx.catalog.list_tags()


@router.post("/tags", status_code=201, response_model=Tag)
async def create_tag(body: Tag, ctx: Ctx) -> Tag:
    tag = body.model_copy(update={"built_in": False})
    await ctx.catalog.create_tag(tag)
    return tag


@router.get("/managers/{manager_id}/clients", response_model=list[ClientResponse])
async def clients_of_manager(manager_id: str, ctx: Ctx) -> list[ClientResponse]:
    """The clients a manager looks after (one lookup document, then point reads), each
    with the handling tips of its tags, as on the client card."""
    ids = await ctx.index.manager_clients(manager_id)
    found = await asyncio.gather(*(ctx.clients.get(cid) for cid in ids))
    mine = [
        c for c in found if c is not None and c.status == "active" and c.manager_id == manager_id
    ]
    codes = sorted({code for c in mine for code in c.tags})  # each tag read once
    tags = dict(zip(codes, await ctx.catalog.tags_of(codes), strict=True))
    return [ClientResponse.of(c, handling_tips=[tags[t] for t in c.tags]) for c in mine]
