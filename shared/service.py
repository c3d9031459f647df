"""The shape every service process shares: one FastAPI app whose lifespan opens the
store, declares topics, starts the FastStream broker and the outbox relay.

A service's `create_app(settings)` builds a `ServiceRuntime`, registers its Kafka
subscribers on `runtime.broker`, includes its API router and returns
`build_app(runtime, ...)`. Nothing connects before the lifespan starts.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import uvicorn
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from starlette.middleware import Middleware
from starlette.responses import Response

from shared import tracing
from shared.context import ContextSlot
from shared.contracts.base import Event
from shared.http_middleware import BodyLimitMiddleware, CorrelationMiddleware, MetricsMiddleware
from shared.lifespan import Hooks, Monitors, Setup, service_lifespan
from shared.logging import configure_logging, get_logger
from shared.messaging.asyncapi import with_consumed_contracts
from shared.messaging.broker import EventPublisher, create_broker, resilient_producer
from shared.messaging.lag import ConsumerLagMonitor
from shared.messaging.topics import TopicNames
from shared.metrics import metrics_response
from shared.periodic import PeriodicTask
from shared.problems import add_error_table
from shared.readiness import DependencyChecks
from shared.settings import ServiceSettings
from shared.store.indexes import IndexPlan
from shared.store.mongo import create_mongo_client
from shared.store.outbox import Outbox
from shared.trace_sampling import FASTAPI_TELEMETRY

log = get_logger(__name__)

ReadyCheck = Callable[[], Awaitable[dict[str, str]]]
# How long a readiness check may take before its dependency counts as unavailable:
# a store busy with a large batch answers a ping in up to a second, and that is fine.
READY_TIMEOUT_S = 5.0
C = TypeVar("C")


@dataclass
class ServiceRuntime:
    """Everything a service's handlers need, filled in by the lifespan."""

    settings: ServiceSettings
    topics_used: Sequence[str]
    # False: no Kafka at all (the gateway): no topics, consumers, outbox relay or lag.
    messaging: bool = True
    broker: KafkaBroker = field(init=False)
    publisher: EventPublisher = field(init=False)
    topics: TopicNames = field(init=False)
    _mongo: AsyncMongoClient[dict[str, Any]] | None = None
    _db: AsyncDatabase[dict[str, Any]] | None = None
    _outbox: Outbox | None = None
    # Periodic jobs added here (e.g. in `on_start`) run while the service runs.
    tasks: list[PeriodicTask] = field(default_factory=list)
    # Physical topic -> the contract consumed from it (filled by the message pipeline).
    consumes: dict[str, type[Event]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # One resilient producer for events and dead letters (the publisher stops it).
        tracing.setup(self.settings.service_name)  # before the broker: its middleware
        producer = resilient_producer(self.settings)
        self.broker = create_broker(self.settings, producer)
        self.publisher = EventPublisher(self.broker, self.settings, producer)
        self.topics = TopicNames(self.settings.topic_prefix)

    @property
    def db(self) -> AsyncDatabase[dict[str, Any]]:
        if self._db is None:
            raise RuntimeError("the store is not open: the service has not started")
        return self._db

    @property
    def outbox(self) -> Outbox:
        if self._outbox is None:
            raise RuntimeError("the outbox is not open: the service has not started")
        return self._outbox

    async def open_store(self) -> None:
        self._mongo = create_mongo_client(self.settings.mongodb_url, self.settings.service_name)
        self._db = self._mongo[self.settings.mongodb_db]
        self._outbox = Outbox(self._db, self.publisher)

    async def close_store(self) -> None:
        if self._mongo is not None:
            await self._mongo.close()


def add_ops_routes(
    app: FastAPI,
    service: str,
    ready: Callable[[], Awaitable[dict[str, str]]],
    max_body_bytes: int = 1024 * 1024,
) -> None:
    """`/healthz` (the process lives), `/readyz` (its dependencies answer), `/metrics`;
    the middlewares every service runs (bodies over `max_body_bytes` are refused)."""
    app.add_middleware(BodyLimitMiddleware, max_body_size=max_body_bytes)
    app.add_middleware(MetricsMiddleware, service=service)
    app.add_middleware(CorrelationMiddleware)

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @app.get("/readyz", tags=["ops"])
    async def readyz() -> JSONResponse:
        checks = await ready()
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse({"ready": ok, "checks": checks}, status_code=200 if ok else 503)

    @app.get("/metrics", tags=["ops"])
    async def metrics() -> Response:
        return metrics_response()


def dependency_checks(runtime: ServiceRuntime) -> DependencyChecks:
    """The store and Kafka, checked in the background for `/readyz` (shared/readiness.py)."""

    async def store() -> bool:
        await runtime.db.command("ping")
        return True

    async def kafka() -> bool:
        if not runtime.topics_used:
            return bool(await runtime.broker.ping(timeout=READY_TIMEOUT_S))
        # FastStream's ping fetches and decodes the metadata of every topic in the
        # cluster (0.3 s of CPU on a shared broker with thousands of partitions);
        # the metadata of one of our own topics says as much about the broker.
        admin = runtime.broker.config.admin_client
        [found] = await admin.describe_topics([runtime.topics(runtime.topics_used[0])])
        return not found.get("error_code")

    checks = {"store": store, "kafka": kafka} if runtime.messaging else {"store": store}
    return DependencyChecks(checks, timeout_s=READY_TIMEOUT_S)


def build_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    routers: Sequence[APIRouter] = (),
    context: ContextSlot[C] | None = None,
    bootstrap: Callable[[ServiceRuntime], C] | None = None,
    on_start: Setup | None = None,
    on_stop: Setup | None = None,
    description: str = "",
    publishes: Sequence[type[Event]] = (),
    indexes: IndexPlan | None = None,
    shape: AppShape | None = None,
) -> FastAPI:
    """The service's app. `publishes`: the events it announces (AsyncAPI); `indexes`: made
    at start. Once the store is open, `bootstrap(runtime)` fills `context` (app.state.context)
    and `on_start` runs, before consumers and jobs; `on_stop` after they stop (store open)."""
    shape = shape or AppShape()
    on_start = _with_context(context, bootstrap, on_start)
    for event in publishes:  # declared for the AsyncAPI document only; sends go via outbox
        runtime.broker.publisher(runtime.topics(event.TOPIC), schema=event, title=event.TOPIC)
    lag = ConsumerLagMonitor(runtime.broker, runtime.settings.service_name)
    monitors = Monitors(
        lag if runtime.messaging else None,
        None if shape.ready else dependency_checks(runtime),
    )
    lifespan = service_lifespan(runtime, Hooks(indexes or {}, on_start, on_stop), monitors)
    app = FastAPI(
        title=title,
        description=description,
        lifespan=lifespan,
        telemetry=FASTAPI_TELEMETRY,  # ours: shared/trace_sampling.py
        **shape.options,
    )
    app.state.runtime = runtime
    app.state.context = context
    app.state.runtime_lag = monitors.lag
    tracing.instrument_app(app)
    for middleware in shape.middlewares:  # inside the shared ones (added next)
        app.add_middleware(middleware.cls, *middleware.args, **middleware.kwargs)
    add_ops_routes(
        app, runtime.settings.service_name, _ready(monitors, shape), runtime.settings.max_body_bytes
    )
    add_error_table(app, problem_json=shape.problem_json)
    if runtime.messaging:
        _add_asyncapi_route(app, runtime, title, description)
    for router in routers:
        app.include_router(router)
    return app


def _with_context(
    context: ContextSlot[C] | None,
    bootstrap: Callable[[ServiceRuntime], C] | None,
    on_start: Setup | None,
) -> Setup | None:
    """`on_start` preceded by filling `context` with what `bootstrap` builds."""
    if bootstrap is None or context is None:
        return on_start
    slot, build = context, bootstrap

    async def start(runtime: ServiceRuntime) -> None:
        # The store is open now; consumers, jobs and requests come after this.
        slot.fill(build(runtime))
        if on_start is not None:
            await on_start(runtime)

    return start


@dataclass(frozen=True)
class AppShape:
    """Where a service's app differs from the usual one (the gateway's does)."""

    # Keyword arguments for FastAPI() (e.g. docs_url=None, version).
    options: Mapping[str, Any] = field(default_factory=dict)
    # ASGI middlewares run inside the shared ones (correlation, metrics, body limit).
    middlewares: Sequence[Middleware] = ()
    # The service's own `/readyz` answer instead of the background store/Kafka checks.
    ready: ReadyCheck | None = None
    problem_json: bool = False  # errors as application/problem+json (shared/problems.py)


def _ready(monitors: Monitors, shape: AppShape) -> ReadyCheck:
    if shape.ready is not None:
        return shape.ready
    readiness = monitors.readiness
    assert readiness is not None  # built whenever the service has no check of its own

    async def ready() -> dict[str, str]:
        return readiness.snapshot()  # no round trip: it would queue behind busy work

    return ready


def _add_asyncapi_route(
    app: FastAPI, runtime: ServiceRuntime, title: str, description: str
) -> None:
    @app.get("/asyncapi.json", tags=["ops"])
    async def asyncapi() -> Response:
        """The service's AsyncAPI 3 document: topics it consumes and publishes."""
        spec = AsyncAPI(runtime.broker, title=title, description=description or None)
        document = json.loads(spec.to_specification().to_json())
        document = with_consumed_contracts(document, runtime.consumes)
        return JSONResponse(document)


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Run one service process: the API and the Kafka consumers in one event loop."""
    configure_logging(settings.log_level, settings.log_json)
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=15,
    )
