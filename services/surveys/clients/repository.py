"""MongoDB access of surveys: the client projection, lookups, complaint state, opt-outs.

Collections (all read by string `_id`):
- `clients`: `KnownClient` per client id (written by the client.* consumer only);
- `lookups`: `card:<number>` / `phone:<E.164>` -> client, `open_survey:<phone>` -> survey;
- `complaints`: one per complaint id (client, employee, open, from_survey);
- `opt_outs`: `phone:<E.164>` of everyone who replied STOP.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.surveys.clients.model import KnownClient
from shared.client_projection import insert_unless_present, point_lookups
from shared.messaging.idempotency import LAST_APPLIED
from shared.messaging.waiting_markers import marker_probes
from shared.store.outbox import OUTBOX_FIELD
from shared.store.upserts import upsert

CLIENTS = "clients"
LOOKUPS = "lookups"
COMPLAINTS = "complaints"
OPT_OUTS = "opt_outs"


class ClientProjection:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.clients = db[CLIENTS]
        self.lookups = db[LOOKUPS]

    async def load_raw(self, client_id: str) -> dict[str, Any] | None:
        return await self.clients.find_one({"_id": client_id})

    async def save(self, client: KnownClient, event_key: str) -> None:
        doc = client.model_dump(exclude={"client_id"}) | {LAST_APPLIED: [event_key]}
        await upsert(self.clients, client.client_id, {"$set": doc})

    async def register(self, client: KnownClient, event_key: str) -> dict[str, Any] | None:
        """Insert the client unless a document exists (an erasure that came first, or a
        repeat); returns the document that was there, or None."""
        doc = client.model_dump(exclude={"client_id"}) | {LAST_APPLIED: [event_key]}
        return await insert_unless_present(self.clients, client.client_id, doc)

    async def point_all(self, pointers: dict[str, str], waiting_keys: Sequence[str]) -> bool:
        """Point each lookup key to its client and probe the waiting room's markers of
        `waiting_keys` (waiting.py), in one command; returns whether anything waited."""
        return await point_lookups(self.lookups, pointers, marker_probes(waiting_keys))

    async def get(self, client_id: str) -> KnownClient | None:
        doc = await self.clients.find_one({"_id": client_id}, {LAST_APPLIED: 0, OUTBOX_FIELD: 0})
        return KnownClient(client_id=doc.pop("_id"), **doc) if doc else None

    async def resolve(self, client_id: str) -> KnownClient | None:
        """The client, following merges to the survivor."""
        client = await self.get(client_id)
        for _ in range(5):
            if client is None or not client.merged_into:
                return client
            client = await self.get(client.merged_into)
        return client

    async def owners(self, keys: Sequence[str]) -> dict[str, str]:
        """The client each known key leads to (`client:<id>` to itself), by concurrent
        point reads of the distinct card and phone keys."""
        owners = {k: k.removeprefix("client:") for k in keys if k.startswith("client:")}
        looked_up = sorted({k for k in keys if not k.startswith("client:")})
        found = await asyncio.gather(*(self.client_by(k) for k in looked_up))
        return owners | {k: c for k, c in zip(looked_up, found, strict=True) if c}

    async def get_many(self, client_ids: Sequence[str]) -> dict[str, KnownClient]:
        """The clients of these ids that are known (concurrent point reads)."""
        distinct = sorted(set(client_ids))
        found = await asyncio.gather(*(self.get(c) for c in distinct))
        return {c: client for c, client in zip(distinct, found, strict=True) if client}

    async def point(self, key: str, client_id: str) -> None:
        await upsert(self.lookups, key, {"_id": key, "client_id": client_id}, replace=True)

    async def unpoint(self, key: str, client_id: str) -> None:
        # Read, then delete by `_id` alone: any other filter scans the collection.
        if await self.client_by(key) == client_id:
            await self.lookups.delete_one({"_id": key})

    async def client_by(self, key: str) -> str | None:
        doc = await self.lookups.find_one({"_id": key})
        return str(doc["client_id"]) if doc and doc.get("client_id") else None

    async def set_open_survey(self, phone: str, survey_id: str) -> None:
        key = f"open_survey:{phone}"
        await upsert(self.lookups, key, {"_id": key, "survey_id": survey_id}, replace=True)

    async def open_survey(self, phone: str) -> str | None:
        doc = await self.lookups.find_one({"_id": f"open_survey:{phone}"})
        return str(doc["survey_id"]) if doc else None

    async def close_survey(self, phone: str, survey_id: str) -> None:
        if await self.open_survey(phone) == survey_id:
            await self.lookups.delete_one({"_id": f"open_survey:{phone}"})

    async def with_name_day(self, day: str) -> list[KnownClient]:
        """A daily job's scan (off the hot path): clients whose name day is `day` (MM-DD)."""
        found = self.clients.find({"name_day": day}, {LAST_APPLIED: 0, OUTBOX_FIELD: 0})
        return [KnownClient(client_id=d.pop("_id"), **d) async for d in found]


class ComplaintState:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.complaints = db[COMPLAINTS]

    async def get(self, complaint_id: str) -> dict[str, Any] | None:
        return await self.complaints.find_one({"_id": complaint_id})

    async def record(self, complaint_id: str, fields: dict[str, Any]) -> None:
        await upsert(self.complaints, complaint_id, {"$set": fields})

    async def open_count(self, client_ids: list[str]) -> int:
        """Open complaints of these clients (the `open:<client>` index documents)."""
        docs = await asyncio.gather(
            *(self.complaints.find_one({"_id": f"open:{c}"}) for c in client_ids)
        )
        return sum(len((d or {}).get("ids", [])) for d in docs)

    async def open_counts(self, client_ids: Sequence[str]) -> dict[str, int]:
        """Open complaints per client (concurrent point reads of `open:<client>`)."""
        distinct = sorted(set(client_ids))
        docs = await asyncio.gather(
            *(self.complaints.find_one({"_id": f"open:{c}"}) for c in distinct)
        )
        return {c: len((d or {}).get("ids", [])) for c, d in zip(distinct, docs, strict=True)}

    async def open_ids(self, client_id: str) -> list[str]:
        doc = await self.complaints.find_one({"_id": f"open:{client_id}"})
        return list((doc or {}).get("ids", []))

    async def mark_open(self, client_id: str, complaint_id: str, is_open: bool) -> None:
        op = "$addToSet" if is_open else "$pull"
        await upsert(self.complaints, f"open:{client_id}", {op: {"ids": complaint_id}})


class OptOuts:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.opt_outs = db[OPT_OUTS]

    async def add(self, phone: str, at: datetime, client_id: str | None) -> None:
        change = {"$setOnInsert": {"at": at, "client_id": client_id}}
        await upsert(self.opt_outs, f"phone:{phone}", change)

    async def has(self, phone: str | None) -> bool:
        if not phone:
            return False
        return await self.opt_outs.find_one({"_id": f"phone:{phone}"}, {"_id": 1}) is not None

    async def opted_out(self, phones: Sequence[str]) -> set[str]:
        """Which of these phones replied STOP (concurrent point reads)."""
        distinct = sorted(set(phones))
        found = await asyncio.gather(*(self.has(p) for p in distinct))
        return {p for p, out in zip(distinct, found, strict=True) if out}

    async def remove(self, phone: str) -> None:
        await self.opt_outs.delete_one({"_id": f"phone:{phone}"})
