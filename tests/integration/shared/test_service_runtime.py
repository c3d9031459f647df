"""The common service shape: periodic jobs live exactly as long as the service."""

from __future__ import annotations

import asyncio

from services.registry.config import RegistrySettings
from services.registry.identity.api import router
from shared.periodic import PeriodicTask
from shared.service import ServiceRuntime, build_app
from tests.conftest import Slate, running


async def test_periodic_tasks_registered_at_start_run_while_the_service_runs(
    slate: Slate,
) -> None:
    runs: list[int] = []

    async def step() -> None:
        runs.append(1)

    async def on_start(runtime: ServiceRuntime) -> None:
        runtime.tasks.append(PeriodicTask("test-job", 0.05, step))

    runtime = ServiceRuntime(RegistrySettings(**slate.settings_kwargs("registry")), [])
    app = build_app(runtime, title="t", routers=[router], on_start=on_start)
    async with running(app):
        await asyncio.sleep(0.3)
    stopped_at = len(runs)
    await asyncio.sleep(0.2)
    assert stopped_at >= 2  # it ran repeatedly while the service ran
    assert len(runs) == stopped_at  # and not after the service stopped


async def test_on_stop_runs_at_shutdown_after_the_jobs_while_the_store_is_open(
    slate: Slate,
) -> None:
    runs: list[str] = []

    async def step() -> None:
        runs.append("job")

    async def on_start(runtime: ServiceRuntime) -> None:
        runtime.tasks.append(PeriodicTask("test-job", 0.05, step))

    async def on_stop(runtime: ServiceRuntime) -> None:
        # A writer flushing what it holds (the gateway's audit log) needs the store.
        await runtime.db["stopped"].insert_one({"_id": "flushed"})
        runs.append("stop")

    runtime = ServiceRuntime(RegistrySettings(**slate.settings_kwargs("registry")), [])
    app = build_app(runtime, title="t", routers=[router], on_start=on_start, on_stop=on_stop)
    async with running(app):
        await asyncio.sleep(0.1)
        assert "stop" not in runs
    assert runs[-1] == "stop"  # once, after the last job run
    assert runs.count("stop") == 1
    check = ServiceRuntime(RegistrySettings(**slate.settings_kwargs("registry")), [])
    await check.open_store()
    try:
        assert await check.db["stopped"].find_one({"_id": "flushed"}) == {"_id": "flushed"}
    finally:
        await check.close_store()
