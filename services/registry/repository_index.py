"""Lookup documents that hold lists: name buckets for search, a manager's clients.

Both are arrays in documents read by `_id`. FerretDB 1.x applies an update as
read-modify-write, so two concurrent updates of one list could lose one: within a
process, writes to one list are serialised by a lock per key (the bulk import writes
each list from one task at a time too).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from services.registry.model_names import buckets_of
from shared.messaging.keyed_locks import KeyedLocks

SEP = "\t"
# An append reads the last chunk and FerretDB rewrites it whole: measured on the
# shared instance, read + $push of one item cost 7 ms at 10 items, 33 ms at 500 and
# 75 ms at 2,000 (the old size), so a common name's bucket made every registration
# slower. A name search reads all chunks of one bucket concurrently, by `_id`.
CHUNK = 250
# Heads and chunks live apart from the (large) lookups collection: FerretDB 1.24
# answers a point *read* from storage, but an update or replace costs time in
# proportion to the collection's size, and these small collections get the updates.
LIST_HEADS = "list_heads"
LIST_CHUNKS = "list_chunks"
DUPLICATE_KEY = 11000


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


class ListIndex:
    """Lists of strings under one key, kept in chunk documents of at most CHUNK items.

    `<key>` holds the number of chunks, `<key>#0`, `<key>#1`, ... the items. A write
    touches only the last chunk, so appending costs the same however long the list
    grows (FerretDB rewrites a whole document on every update); a read is a few
    concurrent point reads. Items may repeat across chunks: readers deduplicate.
    """

    def __init__(
        self, db: AsyncDatabase[dict[str, Any]], locks: KeyedLocks, chunk: int = CHUNK
    ) -> None:
        self.heads = db[LIST_HEADS]
        self.chunks = db[LIST_CHUNKS]
        self.locks = locks
        self.chunk = chunk

    async def _chunks(self, key: str) -> int:
        head = await self.heads.find_one({"_id": key})
        return int((head or {}).get("chunks", 0))

    async def add(self, key: str, values: Iterable[str]) -> None:
        todo = list(values)
        async with self.locks(key):
            chunks = await self._chunks(key)
            last = await self.chunks.find_one({"_id": f"{key}#{chunks - 1}"}) if chunks else None
            room = self.chunk - len((last or {}).get("items", ())) if last else 0
            if room > 0 and todo:
                await self.chunks.update_one(
                    {"_id": f"{key}#{chunks - 1}"},
                    {"$push": {"items": {"$each": todo[:room]}}},
                )
                todo = todo[room:]
            while todo:
                await self.chunks.replace_one(
                    {"_id": f"{key}#{chunks}"}, {"items": todo[: self.chunk]}, upsert=True
                )
                chunks, todo = chunks + 1, todo[self.chunk :]
                await self.heads.replace_one({"_id": key}, {"chunks": chunks}, upsert=True)

    async def append_chunks(self, lists: Mapping[str, Sequence[str]]) -> None:
        """Bulk append (the import): each list gets new chunks, all in one insert.

        The head moves first, so a crash leaves a gap (read as empty), never a clash.
        """
        keys = list(lists)
        heads = await asyncio.gather(*(self._chunks(k) for k in keys))
        docs: list[dict[str, Any]] = []
        for key, start in zip(keys, heads, strict=True):
            values = list(lists[key])
            pieces = [values[i : i + self.chunk] for i in range(0, len(values), self.chunk)]
            docs.extend({"_id": f"{key}#{start + n}", "items": p} for n, p in enumerate(pieces))
            await self.heads.update_one(
                {"_id": key}, {"$set": {"chunks": start + len(pieces)}}, upsert=True
            )
        try:
            await self.chunks.insert_many(docs, ordered=False)
        except BulkWriteError as exc:  # a chunk a concurrent writer made first: append
            for error in exc.details.get("writeErrors", []):
                if error.get("code") != DUPLICATE_KEY:
                    raise
                doc = docs[int(error["index"])]
                await self.add(str(doc["_id"]).rsplit("#", 1)[0], doc["items"])

    async def remove(self, key: str, values: Iterable[str]) -> None:
        gone = list(values)
        async with self.locks(key):
            for i in range(await self._chunks(key)):
                await self.chunks.update_one({"_id": f"{key}#{i}"}, {"$pullAll": {"items": gone}})

    async def items(self, key: str) -> list[str]:
        chunks = await self._chunks(key)
        docs = await asyncio.gather(
            *(self.chunks.find_one({"_id": f"{key}#{i}"}) for i in range(chunks))
        )
        found = (str(v) for d in docs for v in (d or {}).get("items", ()))
        return list(dict.fromkeys(found))

    # names

    async def file_name(self, entry: NameEntry) -> None:
        # Buckets are separate lists with their own locks: filed concurrently.
        await asyncio.gather(*(self.add(k, [entry.encode()]) for k in buckets_of(entry.name_norm)))

    async def unfile_name(self, entry: NameEntry) -> None:
        keys = buckets_of(entry.name_norm)
        await asyncio.gather(*(self.remove(k, [entry.encode()]) for k in keys))

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
