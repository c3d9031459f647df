"""Concurrent point reads by `_id` (and other concurrent calls), a bounded number at once.

A batch reads its documents with concurrent point reads, never `$in` (FerretDB scans
for it). Started all at once, a batch's 500 reads were 500 tasks whose first steps
(session, server selection, encoding) all ran in one turn of the event loop: the
service answered nothing else for up to 0.8 s (a 0.3 s readiness probe missed), and
the reads then queued for the pool's connections anyway. With `limit` calls in flight
each turn stays short and the store is as busy as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from pymongo.asynchronous.collection import AsyncCollection

from shared.store.mongo import MAX_POOL_SIZE

T = TypeVar("T")
IN_FLIGHT = MAX_POOL_SIZE  # more would only wait for a pooled connection


async def gather_bounded(
    calls: Iterable[Callable[[], Awaitable[T]]], limit: int = IN_FLIGHT
) -> list[T]:
    """Await every call's result, at most `limit` at a time; results in call order."""
    gate = asyncio.Semaphore(limit)

    async def one(call: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await call()

    return list(await asyncio.gather(*(one(c) for c in calls)))


async def find_by_ids(
    collection: AsyncCollection[dict[str, Any]],
    ids: Iterable[str],
    projection: dict[str, Any] | None = None,
) -> list[dict[str, Any] | None]:
    """One point read per id, in id order (None where there is no document)."""

    def read(i: str) -> Callable[[], Awaitable[dict[str, Any] | None]]:
        return lambda: collection.find_one({"_id": i}, projection)

    return await gather_bounded(read(i) for i in ids)
