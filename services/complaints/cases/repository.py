"""MongoDB access for cases: the cases, the open-case board and each client's case index.

Every read on the hot path is by string `_id`. Two read models sit beside the cases:
- `open_cases`: one small entry per open case (deadline, priority, next SLA check), so
  the board and the SLA checker never scan the history of all cases;
- `client_cases`: per client the ids of their cases, so the client card reads its
  cases by point reads.
Both are written *before* the case (like the outbox marker): a crash in between leaves
an entry pointing to nothing, which readers skip and the SLA checker removes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.complaints.cases.model import Case
from services.complaints.sla.model import next_check
from shared.contracts.base import Event
from shared.store.outbox import OUTBOX_FIELD, Outbox

CASES = "cases"
BOARD = "open_cases"
CLIENT_CASES = "client_cases"
LOOKUPS = "lookups"


def cases_marker(client_id: str) -> str:
    """In `lookups`: the client has cases. A registration probes it in its lookups'
    write (clients/handlers.py) instead of reading `client_cases`: cases filed before
    complaints knew the client may need raising for the client's value."""
    return f"cases:{client_id}"


def cases_probe(client_id: str) -> UpdateOne:
    return UpdateOne({"_id": cases_marker(client_id)}, {"$set": {"known": True}})


def case_document(case: Case) -> dict[str, Any]:
    return case.model_dump(mode="python", exclude={"id", "is_open", "deadline"}) | {"_id": case.id}


def case_from_document(doc: Mapping[str, Any]) -> Case:
    data = {k: v for k, v in doc.items() if k not in ("_id", OUTBOX_FIELD)}
    return Case.model_validate(data | {"id": doc["_id"]})


def board_entry(case: Case) -> dict[str, Any]:
    return {
        "_id": case.id,
        "client_id": case.client_id,
        "kind": case.kind,
        "topic": case.topic,
        "priority": case.priority,
        "status": case.status,
        "opened_at": case.opened_at,
        "deadline": case.deadline,
        "check_at": next_check(case),
        "escalated": bool(case.escalations),
    }


class CaseRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], outbox: Outbox) -> None:
        self.cases = db[CASES]
        self.board = db[BOARD]
        self.client_cases = db[CLIENT_CASES]
        self.lookups = db[LOOKUPS]
        self.outbox = outbox

    async def get(self, case_id: str) -> Case | None:
        doc = await self.cases.find_one({"_id": case_id}, {OUTBOX_FIELD: 0})
        return case_from_document(doc) if doc else None

    async def add(self, case: Case, events: Sequence[Event]) -> list[dict[str, Any]]:
        """Insert a new case with its events; DuplicateKeyError when the id exists."""
        await self.index(case.client_id, [case.id])
        await self.sync_board(case)
        return await self.outbox.insert(CASES, case_document(case), events)

    async def update(
        self,
        case_id: str,
        fields: Mapping[str, Any],
        push: Mapping[str, list[Any]],
        events: Sequence[Event],
    ) -> list[dict[str, Any]]:
        update: dict[str, Any] = {}
        if fields:
            update["$set"] = dict(fields)
        if push:
            update["$push"] = {k: {"$each": v} for k, v in push.items() if v}
        return await self.outbox.update(CASES, case_id, update, events)

    async def index(self, client_id: str, case_ids: list[str]) -> None:
        await self.client_cases.update_one(
            {"_id": client_id}, {"$addToSet": {"case_ids": {"$each": case_ids}}}, upsert=True
        )
        with contextlib.suppress(DuplicateKeyError):  # the client's marker exists already
            await self.lookups.insert_one({"_id": cases_marker(client_id)})

    async def sync_board(self, case: Case) -> None:
        if case.is_open:
            await self.board.replace_one({"_id": case.id}, board_entry(case), upsert=True)
        else:
            await self.board.delete_one({"_id": case.id})

    async def drop_from_board(self, case_id: str) -> None:
        await self.board.delete_one({"_id": case_id})

    async def open_board(self, sort: str) -> list[dict[str, Any]]:
        """The open cases (a scan of the open set only), most urgent first."""
        order = [("deadline", 1), ("opened_at", 1)] if sort == "deadline" else [("opened_at", -1)]
        return [doc async for doc in self.board.find({}).sort(order)]

    async def due_for_check(self, now: datetime) -> list[dict[str, Any]]:
        return [doc async for doc in self.board.find({"check_at": {"$lte": now}})]

    async def case_ids_of(self, client_id: str) -> list[str]:
        doc = await self.client_cases.find_one({"_id": client_id})
        return list((doc or {}).get("case_ids", ()))

    async def of_client(self, client_id: str) -> list[Case]:
        """Every case of one client, by concurrent point reads."""
        found = await asyncio.gather(*(self.get(i) for i in await self.case_ids_of(client_id)))
        return sorted((c for c in found if c is not None), key=lambda c: c.opened_at)

    async def forget_client_index(self, client_id: str) -> None:
        await self.client_cases.delete_one({"_id": client_id})
