"""Lookup documents that hold lists: name buckets for search, a manager's clients.

Both are arrays in one document read by `_id`. FerretDB 1.x applies an update as
read-modify-write, so two concurrent updates of one list could lose one: within a
process, writes to one list document are serialised by a lock per key.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.registry.model_names import buckets_of
from services.registry.repository import LOOKUPS

SEP = "\t"


@dataclass(frozen=True)
class NameEntry:
    """One client in a name bucket: id, normalised name, birthday (for duplicates)."""

    client_id: str
    name_norm: str
    birthday: str | None

    def encode(self) -> str:
        return SEP.join((self.client_id, self.name_norm, self.birthday or ""))

    @classmethod
    def decode(cls, raw: str) -> NameEntry:
        cid, name, bday = [*raw.split(SEP), "", ""][:3]
        return cls(cid, name, bday or None)


class KeyedLocks:
    """One asyncio lock per lookup key, made on demand."""

    def __init__(self) -> None:
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    def __call__(self, key: str) -> asyncio.Lock:
        return self._locks[key]


class ListIndex:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], locks: KeyedLocks) -> None:
        self.lookups = db[LOOKUPS]
        self.locks = locks

    async def add(self, key: str, values: Iterable[str]) -> None:
        async with self.locks(key):
            await self.lookups.update_one(
                {"_id": key}, {"$addToSet": {"items": {"$each": list(values)}}}, upsert=True
            )

    async def remove(self, key: str, values: Iterable[str]) -> None:
        async with self.locks(key):
            await self.lookups.update_one({"_id": key}, {"$pullAll": {"items": list(values)}})

    async def items(self, key: str) -> list[str]:
        doc = await self.lookups.find_one({"_id": key})
        return [str(v) for v in (doc or {}).get("items", ())]

    # names

    async def file_name(self, entry: NameEntry) -> None:
        for key in buckets_of(entry.name_norm):
            await self.add(key, [entry.encode()])

    async def unfile_name(self, entry: NameEntry) -> None:
        for key in buckets_of(entry.name_norm):
            await self.remove(key, [entry.encode()])

    async def names_in(self, bucket: str) -> list[NameEntry]:
        return [NameEntry.decode(raw) for raw in await self.items(bucket)]

    # managers

    async def manager_clients(self, manager_id: str) -> list[str]:
        return await self.items(f"manager:{manager_id}")

    async def assign(self, client_id: str, old: str | None, new: str | None) -> None:
        if new:
            await self.add(f"manager:{new}", [client_id])
        if old and old != new:
            await self.remove(f"manager:{old}", [client_id])
