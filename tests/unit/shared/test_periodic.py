import asyncio
import contextlib
import time

from shared.periodic import PeriodicTask


async def test_a_failing_step_is_retried_next_time() -> None:
    calls: list[int] = []

    async def step() -> None:
        calls.append(1)
        raise RuntimeError("store down")

    task = PeriodicTask("t", 0.01, step)
    task.start()
    await asyncio.sleep(0.1)
    await task.stop()
    assert len(calls) >= 3


async def test_stop_never_hangs_even_if_a_step_swallows_cancellation() -> None:
    async def stubborn_step() -> None:
        with contextlib.suppress(asyncio.CancelledError):  # some client libraries do this
            await asyncio.sleep(10)

    task = PeriodicTask("t", 0.01, stubborn_step)
    task.start()
    await asyncio.sleep(0.05)
    started = time.monotonic()
    await task.stop(timeout_s=1.0)
    assert time.monotonic() - started < 1.5
