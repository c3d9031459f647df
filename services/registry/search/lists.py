"""Lists of strings in chunk documents: name buckets for search (filed in bulk by the
name index, repository.py, and the import), a manager's clients.

Safe with any number of registry replicas: list chunks are inserted, never updated
in place (FerretDB 1.x does not make concurrent updates of one document atomic), so
the only race between writers is two inserts of one `_id`, which the store settles
(duplicate key: the loser re-reads and writes on top). Within a process, writes to
one list still queue behind a lock per key, so they do not race each other for nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cachetools import LRUCache
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from shared.messaging.keyed_locks import KeyedLocks

SEP = "\t"
# A removal is an entry too, replayed in order by readers: `~<tab><item>`.
REMOVED = "~" + SEP
# An append copies the last chunk into its successor: measured on the shared
# instance, a write of one chunk costs more the more items it holds (7 ms at 10
# items, 33 ms at 500, 75 ms at 2,000), so a common name's bucket is cut into chunks
# of at most CHUNK entries. A name search reads the live chunks of one bucket
# concurrently, by `_id`.
CHUNK = 250
# Heads and chunks live apart from the (large) lookups collection: FerretDB 1.24
# answers a point *read* from storage, but a write costs time in proportion to the
# collection's size.
# Lists whose last chunk a process remembers (names buckets, managers).
WRITTEN_KEPT = 10_000
LIST_HEADS = "list_heads"
LIST_CHUNKS = "list_chunks"
DUPLICATE_KEY = 11000

Chunk = dict[str, Any]


def live_of(index: int, chunk: Chunk) -> list[int]:
    """The chunks that make up the list as of `chunk` (older chunks: all up to it)."""
    return list(chunk.get("live") or range(index + 1))


def replay(chunks: Iterable[Chunk]) -> list[str]:
    """The list's items: entries in write order, a removal dropping what came before."""
    state: dict[str, None] = {}
    for chunk in chunks:
        for raw in map(str, chunk.get("items", ())):
            if raw.startswith(REMOVED):
                state.pop(raw[len(REMOVED) :], None)
            else:
                state[raw] = None
    return list(state)


class ListIndex:
    """Lists of strings under one key, in chunk documents written once each.

    `<key>#0`, `<key>#1`, ... hold `items` (entries in write order, removals as
    `~<tab><item>`) and `live`: the chunks that make up the list as of this one. An
    append inserts the next chunk: a copy of the last one plus the new entries while
    that fits in CHUNK (the old one is then superseded and cut to a stub by the one
    writer that superseded it), else the new entries alone beside the full ones. So
    appending costs the same however long the list grows, and a read is the last
    chunk plus its live ones, concurrent point reads. `<key>` (the head) counts the
    chunks, a hint that readers probe forward from.
    """

    def __init__(
        self, db: AsyncDatabase[dict[str, Any]], locks: KeyedLocks, chunk: int = CHUNK
    ) -> None:
        self.heads = db[LIST_HEADS]
        self.chunks = db[LIST_CHUNKS]
        self.locks = locks
        self.chunk = chunk
        # The last chunk this process wrote, per list: chunks are written once, and any
        # later write to the list inserts the next index, so an append that believes it
        # costs no read; if another writer was first, the insert fails and it reads.
        self.written: LRUCache[str, tuple[int, Chunk]] = LRUCache(maxsize=WRITTEN_KEPT)

    async def _read(self, key: str, index: int) -> Chunk | None:
        return await self.chunks.find_one({"_id": f"{key}#{index}"})

    async def _last(self, key: str, probe: bool = True) -> tuple[int, Chunk | None]:
        """The last chunk and its index (-1, None: an empty list). Without `probe` (a
        writer's first try) the head is believed: one read fewer, and the insert after
        it fails if the head was behind, so the writer then probes."""
        head = await self.heads.find_one({"_id": key})
        if not probe:
            index = int((head or {}).get("chunks", 0)) - 1
            if index < 0:
                return -1, None
            if (believed := await self._read(key, index)) is not None:
                return index, believed
        index, found = max(int((head or {}).get("chunks", 0)) - 1, 0), None
        while (chunk := await self._read(key, index)) is not None:
            found, index = chunk, index + 1
        if found is not None:
            return index - 1, found
        while index > 0:  # a hint past the end (an import that died mid-way): step back
            index -= 1
            if (chunk := await self._read(key, index)) is not None:
                return index, chunk
        return -1, None

    async def _move_head(self, key: str, chunks: int) -> None:
        for _ in range(2):  # two first upserts at once: one inserts, the other updates
            try:
                await self.heads.update_one({"_id": key}, {"$max": {"chunks": chunks}}, upsert=True)
                return
            except DuplicateKeyError:
                continue

    def _next(self, index: int, last: Chunk | None, todo: list[str]) -> tuple[Chunk, int]:
        """The chunk to insert after `last` and how many entries of `todo` it takes."""
        items = list(last.get("items", ())) if last else []
        live = live_of(index, last) if last else []
        room = self.chunk - len(items)
        if last is not None and room > 0:  # copy the last chunk with the new entries
            taken = todo[:room]
            others = [i for i in live if i != index]
            return {"items": items + taken, "live": [*others, index + 1]}, len(taken)
        taken = todo[: self.chunk]
        return {"items": taken, "live": [*live, index + 1]}, len(taken)

    async def _append(self, key: str, entries: Iterable[str]) -> None:
        todo = list(entries)
        async with self.locks(key):
            believe_head = True
            while todo:
                known = self.written.pop(key, None) if believe_head else None
                index, last = known or await self._last(key, probe=not believe_head)
                chunk, taken = self._next(index, last, todo)
                try:
                    await self.chunks.insert_one({"_id": f"{key}#{index + 1}", **chunk})
                except DuplicateKeyError:
                    believe_head = False  # another replica appended first: after theirs
                    continue
                self.written[key] = (index + 1, chunk)
                todo = todo[taken:]
                if last is not None and index not in chunk["live"]:
                    stub = {"superseded_by": index + 1}
                    await self.chunks.replace_one({"_id": f"{key}#{index}"}, stub)
                await self._move_head(key, index + 2)

    async def add(self, key: str, values: Iterable[str]) -> None:
        await self._append(key, values)

    async def remove(self, key: str, values: Iterable[str]) -> None:
        await self._append(key, [REMOVED + v for v in values])

    async def purge(self, key: str, values: Iterable[str]) -> None:
        """Remove `values` so that no chunk holds them any more (an erasure, a rename):
        the list is rewritten as one new chunk of what is left, without removal
        entries, and the chunks it replaces are cut to stubs. Costs a read and a write
        of the whole list, so it is kept for rare changes; an insert like any append,
        so a concurrent writer still lands after it (duplicate key: read again)."""
        gone = set(values)
        self.written.pop(key, None)
        async with self.locks(key):
            while True:
                index, last = await self._last(key)
                if last is None:
                    return
                live = live_of(index, last)
                older = await asyncio.gather(*(self._read(key, i) for i in live if i != index))
                items = replay([*(c for c in older if c), last])
                kept = [i for i in items if i not in gone]
                if len(kept) == len(items):  # nothing to purge: no write (purges repeat)
                    return
                new = {"_id": f"{key}#{index + 1}", "items": kept, "live": [index + 1]}
                try:
                    await self.chunks.insert_one(new)
                except DuplicateKeyError:
                    continue
                stub = {"superseded_by": index + 1}
                await asyncio.gather(
                    *(self.chunks.replace_one({"_id": f"{key}#{i}"}, stub) for i in live)
                )
                await self._move_head(key, index + 2)
                return

    async def append_chunks(self, lists: Mapping[str, Sequence[str]]) -> None:
        """Bulk append (the import): each list gets new chunks beside its own, all in
        one insert; a chunk another writer made first is appended the usual way."""
        keys = list(lists)
        for key in keys:
            self.written.pop(key, None)
        lasts = await asyncio.gather(*(self._last(k) for k in keys))
        docs: list[dict[str, Any]] = []
        for key, (index, last) in zip(keys, lasts, strict=True):
            values = list(lists[key])
            live = live_of(index, last) if last else []
            for start in range(0, len(values), self.chunk):
                index += 1
                live = [*live, index]
                docs.append(
                    {
                        "_id": f"{key}#{index}",
                        "items": values[start : start + self.chunk],
                        "live": live,
                    }
                )
        try:
            if docs:
                await self.chunks.insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            for error in exc.details.get("writeErrors", []):
                if error.get("code") != DUPLICATE_KEY:
                    raise
                doc = docs[int(error["index"])]
                await self.add(str(doc["_id"]).rsplit("#", 1)[0], doc["items"])
        heads: dict[str, int] = {}
        for doc in docs:
            key, number = str(doc["_id"]).rsplit("#", 1)
            heads[key] = int(number) + 1
        await asyncio.gather(*(self._move_head(k, n) for k, n in heads.items()))

    async def items(self, key: str) -> list[str]:
        index, last = await self._last(key)
        if last is None:
            return []
        live = live_of(index, last)
        older = await asyncio.gather(*(self._read(key, i) for i in live if i != index))
        return replay([*(c for c in older if c is not None), last])

    # managers

    async def manager_clients(self, manager_id: str) -> list[str]:
        return await self.items(f"manager:{manager_id}")

    async def assign(self, client_id: str, old: str | None, new: str | None) -> None:
        if new:
            await self.add(f"manager:{new}", [client_id])
        if old and old != new:
            await self.remove(f"manager:{old}", [client_id])
