"""The name index: one insert per registration or rename, found by bucket, moved into
the bucket lists in bulk.

A registration (or a rename) inserts ONE document into `names_recent`: the client's
entry and the buckets it is filed under, with an `_id` of its own (two replicas never
write one document) and, for a registration, the `client.registered` it announces
(the registration's outbox marker, identity/handlers.py). A job (`compact_names`,
search/handlers.py) moves these into the chunked bucket lists (lists.py), many entries
per bucket in one append, then deletes them. A search reads the recent documents
first, then the lists: a document moved between the two reads is in the lists by then.
Each client is listed once (by id).

FerretDB scans `names_recent` for a bucket (a filter other than `_id`): it holds only
the entries of the last few seconds, so the scan stays small.

An erasure or a rename purges the old entry from the lists at once and leaves a purge
note for a while: a compaction that read the entry before the purge and files it after
is undone by the next run that sees the note.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import uuid4

from pymongo import DeleteOne
from pymongo.asynchronous.database import AsyncDatabase

from services.registry.search.lists import SEP, ListIndex
from services.registry.search.model import buckets_of

RECENT = "names_recent"
PURGE = "purge"
Doc = dict[str, Any]


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


def is_purge(doc: Mapping[str, Any]) -> bool:
    return doc.get("kind") == PURGE


def purged_later(doc: Mapping[str, Any], purges: Iterable[Mapping[str, Any]]) -> bool:
    """The document's entry was purged after it was written (a rename back is newer)."""
    return any(p["entry"] == doc["entry"] and p["at"] >= doc["at"] for p in purges)


class NameIndex:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], lists: ListIndex, writer: str) -> None:
        self.recent = db[RECENT]
        self.lists = lists
        self.writer = writer  # this process: it moves its own documents first
        # Registration markers whose event this process has published.
        self.announced: set[str] = set()

    def _doc(self, entry: NameEntry, at: datetime, kind: str = "entry") -> Doc:
        return {
            "_id": f"{kind}:{entry.client_id}:{uuid4().hex[:12]}",
            "kind": kind,
            "client_id": entry.client_id,
            "entry": entry.encode(),
            "buckets": buckets_of(entry.name_norm),
            "writer": self.writer,
            "at": at,
        }

    async def file(self, entry: NameEntry, at: datetime, event: Doc | None = None) -> str:
        """File the entry (one insert); with `event`, the document is its outbox marker."""
        doc = self._doc(entry, at) | ({"event": event} if event else {})
        await self.recent.insert_one(doc)
        return str(doc["_id"])

    async def unfile(self, entry: NameEntry, at: datetime) -> None:
        # Purged, not marked removed: a removal entry would keep the name and birthday
        # of an erased (or renamed) client in the store.
        await self.recent.insert_one(self._doc(entry, at, PURGE))
        await self.purge([entry.encode()], entry.name_norm)

    async def purge(self, raws: list[str], name_norm: str) -> None:
        await asyncio.gather(*(self.lists.purge(k, raws) for k in buckets_of(name_norm)))

    async def names_in(self, bucket: str) -> list[NameEntry]:
        recent = [d async for d in self.recent.find({"buckets": bucket})]  # recent first
        listed = await self.lists.items(bucket)
        purges = [d for d in recent if is_purge(d)]
        fresh = [d["entry"] for d in recent if not is_purge(d) and not purged_later(d, purges)]
        return [NameEntry.decode(raw) for raw in dict.fromkeys([*listed, *fresh])]

    async def pending(self) -> list[Doc]:
        """Every recent document (entries, markers, purge notes): a few seconds' worth."""
        return [d async for d in self.recent.find({})]

    async def forget(self, ids: Iterable[str]) -> None:
        done = list(ids)
        deletes = [DeleteOne({"_id": i}) for i in done]
        if deletes:
            await self.recent.bulk_write(deletes, ordered=False)
        self.announced.difference_update(done)
