"""MongoDB access for outbound messages, their schedule and the contact budget.

Collections (all read by string `_id`):
- `messages`: every outbound SMS, sent or skipped, with its reason and attempts;
- `schedule`: only the messages waiting to go out (`due_at`), kept small on purpose
  so the dispatcher may read it whole;
- `claims`: a dispatcher inserts `<message id>` before sending: the insert is atomic,
  so two dispatchers never send one message twice;
- `budgets`: per client, `sent.<message id>` = when, for the 30-day contact budget.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from shared.store.bulk import bulk_write, insert_new
from shared.store.outbox import OUTBOX_FIELD
from shared.store.upserts import upsert

MESSAGES = "messages"
SCHEDULE = "schedule"
CLAIMS = "claims"
BUDGETS = "budgets"
DUPLICATE_KEY = 11000


class MessageStore:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.messages = db[MESSAGES]
        self.schedule = db[SCHEDULE]
        self.claims = db[CLAIMS]

    async def create(self, doc: Mapping[str, Any]) -> bool:
        """Insert a message; False when it exists (its trigger was already handled)."""
        try:
            await self.messages.insert_one(dict(doc))
        except DuplicateKeyError:
            return False
        return True

    async def create_many(self, docs: Sequence[Mapping[str, Any]]) -> set[str]:
        """Insert messages in one command; returns the ids that existed already (their
        triggers were handled before)."""
        return await insert_new(self.messages, docs)

    async def plan_many(self, due: Mapping[str, datetime]) -> None:
        """Schedule messages in one command (one already scheduled stays as it is)."""
        if not due:
            return
        docs = [{"_id": message_id, "due_at": at} for message_id, at in due.items()]
        try:
            await self.schedule.insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            if any(e.get("code") != DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
                raise

    async def get(self, message_id: str) -> dict[str, Any] | None:
        return await self.messages.find_one({"_id": message_id}, {OUTBOX_FIELD: 0})

    async def update(self, message_id: str, fields: Mapping[str, Any]) -> None:
        await self.messages.update_one({"_id": message_id}, {"$set": dict(fields)})

    async def add_attempts(self, message_id: str, failures: list[str], at: datetime) -> None:
        if failures:
            entries = [{"at": at, "error": f} for f in failures]
            await self.messages.update_one(
                {"_id": message_id}, {"$push": {"failures": {"$each": entries}}}
            )

    async def plan(self, message_id: str, due_at: datetime) -> None:
        await upsert(self.schedule, message_id, {"_id": message_id, "due_at": due_at}, replace=True)

    async def due(self, now: datetime) -> list[str]:
        return [d["_id"] async for d in self.schedule.find({}) if d["due_at"] <= now]

    async def planned(self) -> list[dict[str, Any]]:
        return [d async for d in self.schedule.find({})]

    async def claim(self, message_id: str, at: datetime, stale_before: datetime) -> bool:
        """Take a message for sending; a claim older than `stale_before` (its dispatcher
        died mid-send) is taken over."""
        try:
            await self.claims.insert_one({"_id": message_id, "at": at})
        except DuplicateKeyError:
            held = await self.claims.find_one({"_id": message_id})
            if held is None or held["at"] >= stale_before:
                return False
            # Two replicas may both find the same stale claim: taking it over is claimed
            # by a unique insert too (a replace would let both send).
            try:
                stale = held["at"].isoformat()
                await self.claims.insert_one({"_id": f"takeover:{message_id}:{stale}", "at": at})
            except DuplicateKeyError:
                return False
            await self.claims.replace_one({"_id": message_id}, {"_id": message_id, "at": at})
        return True

    async def release_claim(self, message_id: str) -> None:
        await self.claims.delete_one({"_id": message_id})

    async def unplan(self, message_id: str) -> None:
        await self.schedule.delete_one({"_id": message_id})
        await self.claims.delete_one({"_id": message_id})

    async def of_client(self, client_id: str) -> list[dict[str, Any]]:
        """Admin scan (erasure, staff view): every message of one client."""
        return [d async for d in self.messages.find({"client_id": client_id}, {OUTBOX_FIELD: 0})]


class ContactBudget:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.budgets = db[BUDGETS]

    async def sent_times(self, client_id: str, besides: str | None = None) -> list[datetime]:
        doc = await self.budgets.find_one({"_id": client_id})
        sent: dict[str, datetime] = (doc or {}).get("sent", {})
        return [at for message_id, at in sent.items() if message_id != besides]

    async def reserve(self, client_id: str, message_id: str, at: datetime) -> None:
        # A map keyed by message id: reserving twice for one message counts once.
        await upsert(self.budgets, client_id, {"$set": {f"sent.{message_id}": at}})

    async def sent_many(self, client_ids: Sequence[str]) -> dict[str, dict[str, datetime]]:
        """Per client, when each message of its budget went (concurrent point reads)."""
        distinct = sorted(set(client_ids))
        docs = await asyncio.gather(*(self.budgets.find_one({"_id": c}) for c in distinct))
        return {c: dict((d or {}).get("sent", {})) for c, d in zip(distinct, docs, strict=True)}

    async def reserve_many(self, sent: Mapping[str, Mapping[str, datetime]]) -> None:
        """Reserve messages per client (`sent[client][message id]` = when), one bulk write."""
        ops = [
            UpdateOne(
                {"_id": client_id},
                {"$set": {f"sent.{m}": at for m, at in messages.items()}},
                upsert=True,
            )
            for client_id, messages in sent.items()
            if messages
        ]
        if ops:
            await bulk_write(self.budgets, ops)

    async def release(self, client_id: str, message_id: str) -> None:
        await self.budgets.update_one({"_id": client_id}, {"$unset": {f"sent.{message_id}": ""}})
