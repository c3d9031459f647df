"""Readiness from background checks: what a probe reads, without any round trip."""

from __future__ import annotations

import asyncio
import time

from shared.readiness import DependencyChecks, Outcome


async def fine() -> bool:
    return True


async def refused() -> bool:
    raise ConnectionRefusedError


async def hanging() -> bool:
    await asyncio.sleep(10)
    return True


async def test_nothing_is_ready_before_the_first_check() -> None:
    checks = DependencyChecks({"store": fine})
    assert checks.snapshot() == {"store": "not checked yet"}


async def test_a_failing_or_silent_dependency_is_unavailable_after_one_check() -> None:
    checks = DependencyChecks({"store": fine, "kafka": refused, "slow": hanging}, timeout_s=0.05)
    await checks.run_once()
    assert checks.snapshot() == {
        "store": "ok",
        "kafka": "unavailable: ConnectionRefusedError",
        "slow": "unavailable: no answer in 0.05 s",
    }


async def test_a_result_nobody_refreshed_counts_as_unavailable() -> None:
    checks = DependencyChecks({"store": fine}, interval_s=1.0, timeout_s=1.0)
    checks.outcomes["store"] = Outcome("ok", time.monotonic() - 60)
    assert checks.snapshot()["store"].startswith("unavailable: not checked for 60")


async def test_a_probe_reads_the_last_results_while_a_check_is_still_running() -> None:
    checks = DependencyChecks({"store": fine, "slow": hanging}, timeout_s=5.0)
    checks.outcomes.update({n: Outcome("ok", time.monotonic()) for n in ("store", "slow")})
    running = asyncio.create_task(checks.run_once())
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    snapshot = checks.snapshot()
    took = time.perf_counter() - started
    running.cancel()
    assert snapshot == {"store": "ok", "slow": "ok"} and took < 0.01
