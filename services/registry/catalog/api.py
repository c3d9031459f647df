"""Internal routes for categories, behaviour tags and managers' client lists."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from fastapi import APIRouter

from services.registry.bootstrap import Context, Ctx
from services.registry.catalog.model import Category, Tag
from services.registry.catalog.repository import C, CodeBook
from services.registry.identity.schemas import ClientResponse

router = APIRouter(prefix="/internal/v1", tags=["catalog"])


def code_routes(path: str, model: type[C], book: Callable[[Context], CodeBook[C]]) -> None:
    """GET every code of one kind (built-in and custom) and POST a custom one."""

    async def listed(ctx: Ctx) -> list[C]:
        return await book(ctx).list()

    async def create(body: C, ctx: Ctx) -> C:
        return await book(ctx).create(body)

    create.__annotations__["body"] = model  # FastAPI reads the body's model here
    kind = path.strip("/")
    router.add_api_route(
        path,
        listed,
        methods=["GET"],
        response_model=list[model],  # type: ignore[valid-type]
        name=f"list_{kind}",
    )
    router.add_api_route(
        path, create, methods=["POST"], status_code=201, response_model=model, name=f"create_{kind}"
    )


code_routes("/categories", Category, lambda ctx: ctx.catalog.categories)
code_routes("/tags", Tag, lambda ctx: ctx.catalog.tags)


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
