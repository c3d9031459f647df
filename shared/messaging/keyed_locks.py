"""One asyncio lock per key, alive only while someone holds or waits for it."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncIterator, Sequence
from contextvars import ContextVar

# Names whose locks this task holds (`holding`): a task that holds a batch's locks
# may come back to one of them (the pipeline re-applying an event of that very batch,
# parked a moment ago) and must not wait for itself.
_HELD: ContextVar[frozenset[str]] = ContextVar("keyed_locks_held", default=frozenset())


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

    @contextlib.asynccontextmanager
    async def holding(self, keys: Sequence[str]) -> AsyncIterator[None]:
        """Every key's lock, taken in sorted order (two tasks taking several never wait
        for each other in a circle); those this task holds already are not taken again."""
        held = _HELD.get()
        fresh = sorted(set(keys) - held)
        async with contextlib.AsyncExitStack() as stack:
            for key in fresh:
                await stack.enter_async_context(self(key))
            token = _HELD.set(held | set(fresh))
            try:
                yield
            finally:
                _HELD.reset(token)
