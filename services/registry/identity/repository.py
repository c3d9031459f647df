"""MongoDB access of the registry: client documents and the lookup documents.

Every alternate key is a lookup document in `lookups` whose `_id` is the key
(`phone:+49301234567`, `email:ada@example.com`, `card:4000...`): inserting it is the
uniqueness check, and reading it is a point read on FerretDB and MongoDB alike. It
also carries the client's search summary (`summary`: name, status, card, category...),
so a search by card, phone or email is that one read: whoever changes a summarised
field rewrites the summaries of every key of the client (`refresh_lookups`, one bulk
write by `_id`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import DeleteOne, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.registry.identity.model import Client, DuplicateClient, search_summary
from shared.contracts.base import Event
from shared.store.outbox import OUTBOX_FIELD, Outbox

CLIENTS = "clients"
LOOKUPS = "lookups"
DUPLICATE_KEY = 11000
# A registration claims its keys, then writes the client in milliseconds: a key whose
# client is still missing after this long was left by a crash.
ORPHAN_AFTER = timedelta(seconds=60)


def identity_keys(client: Client) -> list[tuple[str, str]]:
    """The (field, value) pairs only this client may hold."""
    keys = [("phone", p) for p in client.phones]
    if client.email:
        keys.append(("email", client.email))
    keys.extend(("card", c.number) for c in client.cards)
    return keys


async def insert_all(collection: AsyncCollection[dict[str, Any]], docs: list[Any]) -> set[int]:
    """Insert every document in one round trip; the positions refused as duplicates."""
    if not docs:
        return set()
    try:
        await collection.insert_many(docs, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != DUPLICATE_KEY for e in errors):
            raise
        return {int(e["index"]) for e in errors}
    return set()


def lookup_doc(
    field: str, value: str, client_id: str, summary: dict[str, Any] | None
) -> dict[str, Any]:
    doc = {"_id": f"{field}:{value}", "client_id": client_id, "at": datetime.now(UTC)}
    return doc | ({"summary": summary} if summary else {})


class ClientRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], outbox: Outbox) -> None:
        self.clients = db[CLIENTS]
        self.lookups = db[LOOKUPS]
        self.outbox = outbox

    async def owner_of(self, field: str, value: str) -> str | None:
        doc = await self.lookups.find_one({"_id": f"{field}:{value}"})
        owner = (doc or {}).get("client_id")
        return str(owner) if owner else None

    async def resolve(self, client_id: str) -> str:
        """Follow a merged client to the one that survived it."""
        for _ in range(10):  # a merge chain is short; never loop forever on bad data
            doc = await self.clients.find_one({"_id": client_id}, {"merged_into": 1})
            if not doc or not doc.get("merged_into"):
                return client_id
            client_id = str(doc["merged_into"])
        return client_id

    async def claim(
        self, field: str, value: str, client_id: str, summary: dict[str, Any] | None = None
    ) -> None:
        """Insert the lookup `field:value` -> client; the insert is the uniqueness check."""
        doc = lookup_doc(field, value, client_id, summary)
        try:
            await self.lookups.insert_one(doc)
        except DuplicateKeyError:
            await self._claim_taken(doc, field, value, client_id)

    async def _claim_taken(
        self, doc: dict[str, Any], field: str, value: str, client_id: str
    ) -> None:
        """A lookup insert refused: ours already, another client's, or an orphan."""
        held = await self.lookups.find_one({"_id": doc["_id"]}) or {}
        owner_id = str(held.get("client_id") or "")
        if owner_id == client_id:
            return
        # A key whose client is not written yet is an orphan only once its claim is
        # old: a registration in flight (here or at another replica) claims its keys
        # before it writes the client, and must keep them.
        at = held.get("at")
        fresh = at is not None and doc["at"] - at.replace(tzinfo=at.tzinfo or UTC) < ORPHAN_AFTER
        if owner_id and (fresh or await self.clients.find_one({"_id": owner_id}, {"_id": 1})):
            raise DuplicateClient(field, value, await self.resolve(owner_id))
        # An orphan left by a crash before the client was written: take it over, once
        # (two registrations may find the same orphan; a unique insert picks one).
        try:
            await self.lookups.insert_one({"_id": f"takeover:{doc['_id']}:{owner_id}"})
        except DuplicateKeyError:
            raise DuplicateClient(field, value, owner_id) from None
        await self.lookups.replace_one({"_id": doc["_id"]}, doc)

    async def release(self, field: str, value: str, client_id: str) -> None:
        """Drop a lookup this client holds (read by `_id`, then delete by `_id`)."""
        if await self.owner_of(field, value) == client_id:
            await self.lookups.delete_one({"_id": f"{field}:{value}"})

    async def refresh_lookups(
        self, client: Client, keys: Sequence[tuple[str, str]] | None = None
    ) -> None:
        """Write the client's current search summary on its lookups (all, or `keys`)."""
        summary = search_summary(client)
        writes = [
            UpdateOne({"_id": f"{field}:{value}"}, {"$set": {"summary": summary}})
            for field, value in (identity_keys(client) if keys is None else keys)
        ]
        if writes:
            await self.lookups.bulk_write(writes, ordered=False)

    async def claim_all(
        self,
        client_id: str,
        keys: Sequence[tuple[str, str]],
        summary: dict[str, Any] | None = None,
    ) -> None:
        """Claim every key, or none: on a duplicate the ones taken are released.

        All keys go in one insert (one round trip); a refused one is settled as `claim`
        does. The error raised is the first in key order, as if claimed one by one."""
        docs = [lookup_doc(field, value, client_id, summary) for field, value in keys]
        refused = sorted(await insert_all(self.lookups, docs))
        settled = await asyncio.gather(
            *(self._claim_taken(docs[i], *keys[i], client_id) for i in refused),
            return_exceptions=True,
        )
        results: list[BaseException | None] = [None] * len(keys)
        for i, outcome in zip(refused, settled, strict=True):
            results[i] = outcome
        failures = [r for r in results if isinstance(r, BaseException)]
        if not failures:
            return
        if all(isinstance(f, DuplicateClient) for f in failures):
            # What this call holds now is this client's: dropped in one bulk write.
            taken = [f"{f}:{v}" for (f, v), r in zip(keys, results, strict=True) if r is None]
            if taken:
                await self.lookups.bulk_write([DeleteOne({"_id": k}) for k in taken])
        raise failures[0]

    async def insert(self, client: Client) -> None:
        """Write a new client (its keys claimed, its event's marker written before)."""
        await self.clients.insert_one(client.to_doc())

    async def change(
        self, client_id: str, update: Mapping[str, Any], events: Sequence[Event]
    ) -> list[dict[str, Any]]:
        return await self.outbox.update(CLIENTS, client_id, update, events)

    async def get(self, client_id: str) -> Client | None:
        doc = await self.clients.find_one({"_id": client_id}, {OUTBOX_FIELD: 0})
        return Client.from_doc(doc) if doc else None

    async def publish(self, client_id: str, entries: Sequence[Mapping[str, Any]]) -> None:
        await self.outbox.flush_quietly(CLIENTS, client_id, entries)
