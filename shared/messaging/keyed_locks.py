"""One asyncio lock per key, alive only while someone holds or waits for it."""

from __future__ import annotations

import asyncio
import weakref


class KeyedLocks:
    """Take turns on one key inside this process (other processes are not covered:
    there Kafka's one consumer per partition and idempotent writes keep keys apart).

    The locks live in a weak dictionary: a lock nobody holds or waits for is dropped,
    so the table does not grow with every key ever seen.
    """

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def __call__(self, key: str) -> asyncio.Lock:
        lock = self._locks.get(key)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[key] = lock
        return lock

    def __len__(self) -> int:
        return len(self._locks)
