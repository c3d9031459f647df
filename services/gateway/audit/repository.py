"""The audit log: every staff write and every staff read of a client, in batches.

Entries are queued in memory when a request ends and written by one background task
per process, every `flush_interval_s` or once `batch_size` are waiting, so a request
never waits for the store and a busy front desk costs few store commands:

- `audit_log`: one `insert_many` per batch, every entry (admins page it, newest first);
- `audit_clients`: per client and month, chunks `audit:client:<id>:<yyyy-mm>#<k>`,
  one per batch naming the client, all of a batch in one `insert_many`
  (audit/client_chunks.py). "Who looked at this client" is then point reads by string
  `_id` (a few per month asked for), the only query FerretDB answers from storage; a
  query on `client_id` would scan a log that grows with every read. Chunks are
  inserted, never updated, so any number of gateway replicas write at once and a
  read costs the same on the last day of a month as on the first.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from pymongo import DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, PyMongoError
from starlette.requests import Request

from services.gateway.audit.client_chunks import ClientChunks, Entry
from shared.logging import get_logger
from shared.problems import Unavailable
from shared.store.indexes import IndexPlan

log = get_logger(__name__)

Db = AsyncDatabase[dict[str, Any]]
# `at`: the retention purge deletes by time (audit/retention.py); real MongoDB needs it.
INDEXES: IndexPlan = {"audit_log": [IndexModel([("who", 1)]), IndexModel([("at", 1)])]}
MAX_QUEUED = 100_000  # the store is away for long: keep the newest, say so loudly


# Reads that list clients: the ids they listed are audited (a JSON list of clients or
# the console's search results, whose links name the ids).
LISTINGS = frozenset(
    {
        "/api/v1/clients",
        "/api/v1/managers/{manager_id}/clients",
        "/api/v1/problem-clients",
        "/console/",
        "/console/search",
    }
)
MAX_LISTING_BYTES = 2 * 1024 * 1024
_CONSOLE_LINK = re.compile(rb'href="/console/clients/([^"/?#]+)"')
_LIST_KEYS = ("items", "clients", "results", "entries")


def is_listing(scope: Mapping[str, Any]) -> bool:
    route = scope.get("route")
    return scope["method"] == "GET" and getattr(route, "path", None) in LISTINGS


def clients_shown(request: Request, listing: bytes | None) -> list[str]:
    """The clients a request showed or changed: its `{client_id}`, or the ids a
    listing answered with."""
    if client_id := request.path_params.get("client_id"):
        return [str(client_id)]
    if not listing:
        return []
    if listing.lstrip()[:1] not in (b"{", b"["):
        return list(dict.fromkeys(m.decode() for m in _CONSOLE_LINK.findall(listing)))
    try:
        body = json.loads(listing)
    except ValueError:
        return []
    items = body if isinstance(body, list) else []
    if isinstance(body, dict):
        items = next((body[k] for k in _LIST_KEYS if isinstance(body.get(k), list)), [])
    ids = (i.get("client_id") or i.get("id") for i in items if isinstance(i, dict))
    return list(dict.fromkeys(str(i) for i in ids if i))


@contextlib.asynccontextmanager
async def store_answers() -> AsyncIterator[None]:
    """A reader's store errors as 503 Unavailable: the store down is not our bug (500),
    and the entries still queued stay queued for the writer."""
    try:
        yield
    except PyMongoError as exc:
        raise Unavailable(f"the store does not answer: {type(exc).__name__}") from exc


def bucket_id(client_id: str, at: datetime) -> str:
    return f"audit:client:{client_id}:{at:%Y-%m}"


def months_back(now: datetime, months: int) -> list[datetime]:
    """The first day of this month and of the `months - 1` before it, newest first."""
    found, year, month = [], now.year, now.month
    for _ in range(months):
        found.append(datetime(year, month, 1, tzinfo=UTC))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found


class AuditLog:
    """Append-only; `record_later` queues, a background task writes (see the module)."""

    def __init__(self, db: Db, flush_interval_s: float = 1.0, batch_size: int = 500) -> None:
        self.entries = db["audit_log"]
        self.by_client = ClientChunks(db["audit_clients"])
        self.flush_interval_s = flush_interval_s
        self.batch_size = batch_size
        self._queued: list[dict[str, Any]] = []
        self._lock: asyncio.Lock | None = None
        self._wake: asyncio.Event | None = None
        self._writer: asyncio.Task[None] | None = None

    @staticmethod
    def _doc(entry: dict[str, Any]) -> dict[str, Any]:
        at = datetime.now(UTC)
        # A time-ordered id: newest first is a sort on `_id`.
        entry_id = f"{at.strftime('%Y%m%dT%H%M%S%f')}-{uuid4().hex[:8]}"
        return {"_id": entry_id, "at": at, "kind": "write", "client_ids": [], **entry}

    async def record(self, entry: dict[str, Any]) -> None:
        self.record_later(entry)

    def record_later(self, entry: dict[str, Any]) -> None:
        """Queue the entry; the writer stores it within `flush_interval_s`."""
        self._queued.append(self._doc(entry))
        if len(self._queued) > MAX_QUEUED:
            del self._queued[: len(self._queued) - MAX_QUEUED]
            log.error("audit_entries_dropped", kept=MAX_QUEUED)
        if self._writer is None:
            self._lock, self._wake = asyncio.Lock(), asyncio.Event()
            self._writer = asyncio.create_task(self._write_forever())
        if len(self._queued) >= self.batch_size and self._wake is not None:
            self._wake.set()

    async def _write_forever(self) -> None:
        assert self._wake is not None
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.flush_interval_s)
            self._wake.clear()
            try:
                await self.flush()
            except Exception:  # kept queued: the next round tries again
                log.exception("audit_write_failed", queued=len(self._queued))

    async def flush(self) -> None:
        """Write what is queued: one insert and the client buckets' updates."""
        if self._lock is None:
            return
        async with self._lock:
            batch = list(self._queued)
            if not batch:
                return
            await self._insert(batch)
            await self.by_client.append(_by_client_month(batch))
            del self._queued[: len(batch)]

    async def _insert(self, batch: list[dict[str, Any]]) -> None:
        try:
            await self.entries.insert_many(batch, ordered=False)
        except BulkWriteError as exc:  # a retried batch: what is there already is fine
            if any(e.get("code") != 11000 for e in exc.details.get("writeErrors", [])):
                raise

    async def drain(self) -> None:
        """Write everything recorded so far (readers call it: what this gateway
        recorded is listed, even if just now)."""
        await self.flush()

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
        try:
            await self.flush()
        except Exception:
            log.exception("audit_write_failed", queued=len(self._queued))

    async def page(self, limit: int, before: str | None = None) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"_id": {"$lt": before}} if before else {}
        async with store_answers():
            await self.drain()
            cursor = self.entries.find(query).sort("_id", DESCENDING).limit(limit)
            return [{"id": d.pop("_id"), **d} async for d in cursor]

    async def about_client(self, client_id: str, months: int) -> list[dict[str, Any]]:
        """Every entry naming the client in the last `months` months, newest first:
        point reads by `_id` only."""
        ids = [bucket_id(client_id, m) for m in months_back(datetime.now(UTC), months)]
        async with store_answers():
            await self.drain()
            return await self.by_client.entries(ids)


def _by_client_month(batch: list[dict[str, Any]]) -> dict[str, tuple[str, list[Entry]]]:
    """The batch's entries per client month that they name: key -> (client id, entries)."""
    months: dict[str, tuple[str, list[Entry]]] = {}
    for doc in batch:
        for client_id in doc.get("client_ids") or ():
            key = bucket_id(client_id, doc["at"])
            entry = {k: v for k, v in doc.items() if k != "_id"}
            months.setdefault(key, (client_id, []))[1].append({"id": doc["_id"], **entry})
    return months
