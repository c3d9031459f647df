"""Who looked at a client: per client and month, chunk documents that are written once.

`audit:client:<id>:<yyyy-mm>#<k>`, k = 0, 1, 2, ...: each chunk holds the entries of
one batch of the writer (audit/repository.py) that name the client, and is inserted,
never updated. A batch's chunks for all its clients are one `insert_many`.

Why not one document per client and month that every batch extends (`$addToSet`, as
before): FerretDB rewrites a document whole on every update (decoding and encoding its
JSON), so each audited read of a client cost more the more often the client had been
read that month (a front desk's regulars, every benchmark round); perf showed updates of
`audit_clients` taking more of the store's CPU than the card lookups they audited.
An insert costs the same however long the month has run, and several gateway replicas
can write at once: the only race is two inserts of one `_id`, which the store settles
(the loser looks for the next free index and inserts there).

Readers and a writer that does not remember a month's next index find it with point
reads by `_id` (chunk 0 alone, then windows of `WINDOW` concurrent reads until one is
missing): FerretDB answers nothing else from storage. A batch retried after a store
error may write its entries twice; readers drop repeats by the entry's id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from cachetools import LRUCache
from pymongo.asynchronous.collection import AsyncCollection

from shared.store.bulk import insert_new
from shared.store.point_reads import find_by_ids, gather_bounded

WINDOW = 16
KEPT = 10_000  # months whose next chunk index a process remembers

Entry = dict[str, Any]
Collection = AsyncCollection[dict[str, Any]]


def chunk_id(month: str, index: int) -> str:
    return f"{month}#{index}"


class ClientChunks:
    """Appends and reads the chunks of client months (`month` = the month's key,
    `audit:client:<id>:<yyyy-mm>`)."""

    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        self.next: LRUCache[str, int] = LRUCache(maxsize=KEPT)

    async def _chunks(
        self, month: str, projection: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """The month's chunks in order, up to the first missing index."""
        first = await self.collection.find_one({"_id": chunk_id(month, 0)}, projection)
        if first is None:
            return []
        found, index = [first], 1
        while True:
            ids = [chunk_id(month, i) for i in range(index, index + WINDOW)]
            for doc in await find_by_ids(self.collection, ids, projection):
                if doc is None:
                    return found
                found.append(doc)
            index += WINDOW

    async def _free_index(self, month: str) -> int:
        known = self.next.get(month)
        if known is not None:
            return known
        return len(await self._chunks(month, {"_id": 1}))  # counted: no entries read

    async def append(self, months: Mapping[str, tuple[str, list[Entry]]]) -> None:
        """Insert one chunk per month: `months` maps a month's key to (client id, its
        entries of this batch)."""
        todo = dict(months)
        while todo:
            keys = list(todo)
            free = await gather_bounded(partial(self._free_index, k) for k in keys)
            docs = [
                {"_id": chunk_id(k, i), "client_id": todo[k][0], "entries": todo[k][1]}
                for k, i in zip(keys, free, strict=True)
            ]
            taken = await insert_new(self.collection, docs)
            for k, i, doc in zip(keys, free, docs, strict=True):
                if doc["_id"] in taken:  # another writer was first: look again
                    self.next.pop(k, None)
                else:
                    self.next[k] = i + 1
            todo = {k: todo[k] for k, doc in zip(keys, docs, strict=True) if doc["_id"] in taken}

    async def entries(self, months: Sequence[str]) -> list[Entry]:
        """Every entry of the months' chunks (and of a month document written whole by an
        older release, `_id` the month's key), each once, newest first."""
        chunks = await gather_bounded(partial(self._chunks, m) for m in months)
        legacy = await find_by_ids(self.collection, months)
        docs = [d for found in chunks for d in found] + [d for d in legacy if d]
        unique = {str(e["id"]): e for d in docs for e in d.get("entries", [])}
        return sorted(unique.values(), key=lambda e: str(e["id"]), reverse=True)
