"""The lifespan `build_app` (shared/service.py) gives every service, in named steps:
open and prepare the store, start the work (consumers, relay, jobs), stop it in reverse.
A service without Kafka (`runtime.messaging` false: the gateway) skips the Kafka steps."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import FastAPI

from shared.logging import configure_logging, get_logger
from shared.messaging.lag import ConsumerLagMonitor
from shared.messaging.topics import Retention, declare_topics
from shared.periodic import PeriodicTask
from shared.readiness import DependencyChecks
from shared.store.indexes import IndexPlan, ensure_indexes
from shared.store.outbox import outbox_relay

if TYPE_CHECKING:
    from shared.service import ServiceRuntime

log = get_logger(__name__)

Setup = Callable[["ServiceRuntime"], Awaitable[None]]
Lifespan = Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]


@dataclass(frozen=True)
class Hooks:
    """What a service adds to the shared start-up and shutdown."""

    indexes: IndexPlan
    on_start: Setup | None = None
    on_stop: Setup | None = None


@dataclass(frozen=True)
class Monitors:
    """Background watchers: consumer lag (Kafka services only) and readiness checks
    (absent when the service answers `/readyz` itself)."""

    lag: ConsumerLagMonitor | None
    readiness: DependencyChecks | None


def service_lifespan(runtime: ServiceRuntime, hooks: Hooks, monitors: Monitors) -> Lifespan:
    settings = runtime.settings

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level, settings.log_json)
        await _prepare(runtime, hooks)
        relay = await _start_work(runtime, monitors)
        log.info("service_started", service=settings.service_name, port=settings.http_port)
        try:
            yield
        finally:
            await _stop_work(runtime, monitors, relay)
            if hooks.on_stop is not None:
                await hooks.on_stop(runtime)
            if runtime.messaging:
                await runtime.publisher.stop()
            await runtime.close_store()
            log.info("service_stopped", service=settings.service_name)

    return lifespan


async def _prepare(runtime: ServiceRuntime, hooks: Hooks) -> None:
    """The store open with its indexes, the topics declared, the service's own start."""
    settings = runtime.settings
    await runtime.open_store()
    await runtime.db.command("ping")
    await ensure_indexes(runtime.db, hooks.indexes)
    if runtime.messaging:
        await declare_topics(
            settings.kafka_bootstrap_servers,
            [runtime.topics(t) for t in runtime.topics_used],
            settings.topic_partitions,
            max_message_bytes=settings.topic_max_message_bytes,
            retention=Retention.hours(settings.topic_retention_h, settings.dlq_retention_h),
        )
    if hooks.on_start is not None:
        await hooks.on_start(runtime)


async def _start_work(runtime: ServiceRuntime, monitors: Monitors) -> PeriodicTask | None:
    """Consumers, the outbox relay, the monitors and the jobs; returns the relay."""
    relay = None
    if runtime.messaging:
        await runtime.broker.start()
        relay = outbox_relay(runtime.outbox, runtime.settings.relay_interval_s)
        relay.start()
    if monitors.lag is not None:
        monitors.lag.task.start()
    if monitors.readiness is not None:
        await monitors.readiness.run_once()  # ready as soon as the lifespan is done
        monitors.readiness.task.start()
    for task in runtime.tasks:
        task.start()
    # What start-up built (modules, schemas, clients) lives as long as the process:
    # out of the collector's sight, a full collection no longer walks it (one took
    # 0.3 s with nothing to free, stalling every request, readiness probes too).
    gc.freeze()
    return relay


async def _stop_work(
    runtime: ServiceRuntime, monitors: Monitors, relay: PeriodicTask | None
) -> None:
    for task in runtime.tasks:
        await task.stop()
    if monitors.readiness is not None:
        await monitors.readiness.task.stop()
    if monitors.lag is not None:
        await monitors.lag.task.stop()
    if relay is not None:
        await relay.stop()
    if runtime.messaging:
        await runtime.broker.stop()
