"""Locks per key: one key takes turns, other keys do not wait, and the table shrinks."""

from __future__ import annotations

import asyncio
import gc

from shared.messaging.keyed_locks import KeyedLocks


async def test_one_key_takes_turns_and_another_key_does_not_wait() -> None:
    locks = KeyedLocks()
    order: list[str] = []

    async def write(key: str, name: str) -> None:
        async with locks(key):
            order.append(f"{name}+")
            await asyncio.sleep(0.01)
            order.append(f"{name}-")

    await asyncio.gather(write("a", "1"), write("a", "2"), write("b", "3"))
    assert order.index("1-") < order.index("2+")  # the same key: one after the other
    assert order.index("3+") < order.index("1-")  # another key: at the same time


async def test_a_lock_nobody_holds_is_forgotten() -> None:
    locks = KeyedLocks()
    for n in range(1000):
        async with locks(f"client:{n}"):
            pass
    gc.collect()
    assert len(locks) == 0
