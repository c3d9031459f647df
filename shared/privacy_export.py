"""What one service holds about one client, for the client's data export (issue 16).

Every service answers `GET /internal/v1/clients/{client_id}/export` with its own data
(`export_router`): named sections a person can read (the service's `Sections`
function picks them) and, under `collections`, every document of every collection of
its database that names the client: `_id` equal to the client id or made of it
(`<id>:000000001`, `open:<id>`), or a `client_id` / `client_ids` field naming it.

The export is not a hot path: the query scans each collection on FerretDB, which
answers only `{"_id": …}` from storage. Plumbing fields (`_outbox`, `_last_applied`:
copies of events and idempotency keys) are left out; money kept as integer cents is
shown as a decimal string (`balance_cents: 1250` -> `balance: "12.50"`).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bson import ObjectId
from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pymongo.asynchronous.database import AsyncDatabase

Db = AsyncDatabase[dict[str, Any]]
Documents = dict[str, list[dict[str, Any]]]
# (the database, the client id, its documents by collection) -> named sections
Sections = Callable[[Db, str, Documents], Awaitable[dict[str, Any]]]


PLAIN_ID = re.compile(r"[A-Za-z0-9_-]+")


def about_client(client_id: str) -> dict[str, Any]:
    naming: list[dict[str, Any]] = [
        {"_id": client_id},
        {"client_id": client_id},
        {"client_ids": client_id},
    ]
    # Ids made of the client id (`<id>:000000001`, `open:<id>`), asked only for ids of
    # letters, digits, `_` and `-` (every id Clientele issues): they need no escaping,
    # so no text from a URL is ever read as a pattern by MongoDB's or FerretDB's regexp.
    if PLAIN_ID.fullmatch(client_id):
        naming.append({"_id": {"$regex": f"(^|:){client_id}(:|$)"}})
    return {"$or": naming}


def readable(value: Any) -> Any:
    """A stored document as the client reads it (see the module docstring)."""
    if isinstance(value, dict):
        shown: dict[str, Any] = {}
        for key, item in value.items():
            if key == "_id":
                shown["id"] = readable(item)
            elif key.startswith("_"):
                continue
            elif key.endswith("_cents") and isinstance(item, int) and not isinstance(item, bool):
                shown[key.removesuffix("_cents")] = str(Decimal(item).scaleb(-2))
            else:
                shown[key] = readable(item)
        return shown
    if isinstance(value, list | tuple):
        return [readable(v) for v in value]
    if isinstance(value, ObjectId):
        return str(value)
    return value


async def documents_about(db: Db, client_id: str) -> Documents:
    """Every document naming the client, by collection (one collection at a time: each
    query scans on FerretDB, and the export is not worth a burst)."""
    found: Documents = {}
    query = about_client(client_id)
    for name in sorted(await db.list_collection_names()):
        if name.startswith("system."):
            continue
        docs = [readable(d) async for d in db[name].find(query)]
        if docs:
            found[name] = docs
    return found


def runtime_db(request: Request) -> Db:
    """The database of a service built with `shared.service.build_app`."""
    db: Db = request.app.state.runtime.db
    return db


def export_router(
    service: str, sections: Sections, db_of: Callable[[Request], Db] = runtime_db
) -> APIRouter:
    """The service's `GET /internal/v1/clients/{client_id}/export`."""
    router = APIRouter(prefix="/internal/v1", tags=["privacy"])

    @router.get("/clients/{client_id}/export")
    async def export_client(client_id: str, request: Request) -> JSONResponse:
        db = db_of(request)
        collections = await documents_about(db, client_id)
        body = {
            "service": service,
            "client_id": client_id,
            "exported_at": datetime.now(UTC),
            **await sections(db, client_id, collections),
            "collections": collections,
        }
        return JSONResponse(jsonable_encoder(body))

    return router
