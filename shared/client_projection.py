"""What a service that keeps its own projection of the registry's clients does alike
(surveys and complaints today): take a registration in two store commands, answer
"what do you know of this client" on its internal API, and subscribe its handler table
with the "is this client known?" check its waiting room needs.

A registration is one insert of the client's document unless one exists (a repeat, or
a tombstone of an erasure or merge that came first from another topic: the handler
reads what was there off the same command), then one bulk write of its lookup keys
followed by the waiting room's probes (shared/messaging/waiting.py), which says
whether anything waited for the client. No inbox claim, no read of its own.
"""

# No `from __future__ import annotations` here: FastAPI reads the route's annotations at
# runtime, and `Depends(context)` names a variable of the factory.
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from pymongo import ReturnDocument, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection

from shared.messaging.pipeline import HandlerTable, Pipeline
from shared.messaging.waiting_markers import anything_parked
from shared.problems import NotFound

Collection = AsyncCollection[dict[str, Any]]
Known = Callable[[Sequence[str]], Awaitable[bool]]


async def insert_unless_present(
    collection: Collection, doc_id: str, doc: Mapping[str, Any]
) -> dict[str, Any] | None:
    """Insert `doc` as `doc_id` unless that document exists, in one command; returns the
    document that was there (None: inserted). One consumer writes a client's document,
    so no second writer races the upsert."""
    before: dict[str, Any] | None = await collection.find_one_and_update(
        {"_id": doc_id},
        {"$setOnInsert": dict(doc)},
        upsert=True,
        return_document=ReturnDocument.BEFORE,
    )
    return before


async def point_lookups(
    collection: Collection, pointers: Mapping[str, str], probes: Sequence[UpdateOne] = ()
) -> bool:
    """Point each lookup key (`card:…`, `phone:…`) to its client, then run `probes`, in
    one command; returns whether a probe matched (something waited)."""
    ops = [
        UpdateOne({"_id": key}, {"$set": {"client_id": client_id}}, upsert=True)
        for key, client_id in pointers.items()
    ]
    if not ops and not probes:
        return False
    result = await collection.bulk_write([*ops, *probes], ordered=True)
    return anything_parked(result, len(ops))


def known_client_router(
    service: str,
    context: Callable[..., Awaitable[Any]],
    response: type[BaseModel],
    find: Callable[[Any, str], Awaitable[BaseModel | None]],
) -> APIRouter:
    """`GET /internal/v1/clients/{id}`: the client as the service knows it, else 404."""
    router = APIRouter(prefix="/internal/v1", tags=[service])

    @router.get("/clients/{client_id}", response_model=response)
    async def known_client(client_id: str, ctx: Annotated[Any, Depends(context)]) -> BaseModel:
        client = await find(ctx, client_id)
        if client is None:
            raise NotFound(f"client {client_id} is not known to {service} yet")
        return response(**client.model_dump())

    return router


def subscribe(table: HandlerTable, runtime: Any, known: Known) -> Pipeline:
    """The pipeline's subscribers of a service whose waiting room asks `known`."""
    pipeline = Pipeline(table, runtime, known)
    pipeline.subscribe()
    return pipeline
