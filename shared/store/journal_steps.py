"""How a unit of work's steps are written (unit_of_work.py): each is idempotent, so a
journal can be replayed as written after a crash at any point."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from shared.messaging.idempotency import LAST_APPLIED
from shared.store.bulk import bulk_write, insert_new
from shared.store.point_reads import find_by_ids


def stored_fields(inc: Mapping[str, int]) -> list[dict[str, Any]]:
    """Field paths may hold dots (`spend_by_month.2026-11`), which a stored key may not."""
    return [{"field": k, "by": v} for k, v in inc.items()]


def field_map(stored: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    return {f["field"]: f["by"] for f in stored}


async def insert_step(db: AsyncDatabase[dict[str, Any]], step: Mapping[str, Any]) -> None:
    """New documents with deterministic `_id`s: one there already (a replay) is left."""
    await insert_new(db[step["collection"]], step["rows"])


async def increment_step(
    db: AsyncDatabase[dict[str, Any]], step: Mapping[str, Any], journal_id: str, replay: bool
) -> None:
    rows, collection = list(step["rows"]), db[step["collection"]]
    skip: set[str] = set()
    if replay:  # documents whose last write was this very journal are done
        docs = await find_by_ids(collection, [r["_id"] for r in rows], {LAST_APPLIED: 1})
        done = (d and journal_id in d.get(LAST_APPLIED, ()) for d in docs)
        skip = {r["_id"] for r, is_done in zip(rows, done, strict=True) if is_done}
    ops = [
        UpdateOne(
            {"_id": r["_id"]},
            {"$inc": field_map(r["inc"]), "$set": {**r["set"], LAST_APPLIED: [journal_id]}},
            upsert=bool(step.get("upsert", True)),
        )
        for r in rows
        if r["_id"] not in skip
    ]
    if ops:
        await bulk_write(collection, ops)


def added_key(step: Mapping[str, Any], row: Mapping[str, Any]) -> tuple[str, str, str, Any]:
    return (step["collection"], row["_id"], row["field"], row["value"])
