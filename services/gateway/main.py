"""Composition root of the gateway: store, Kafka (the card view), upstream clients, the
guard on every router."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware

from services.gateway import api, docs
from services.gateway.audit.middleware import AuditMiddleware
from services.gateway.audit.repository import INDEXES
from services.gateway.audit.retention import Clock, purge_audit_once, system_clock
from services.gateway.auth import handlers as handlers_auth
from services.gateway.auth.guard import AnonymousGate, guard
from services.gateway.bootstrap import Context, bootstrap
from services.gateway.config import GatewaySettings
from services.gateway.console import api as console
from services.gateway.subscribers import TOPICS, register_subscribers
from services.gateway.upstream import Upstreams, problem
from shared.context import ContextSlot
from shared.logging import get_logger
from shared.periodic import PeriodicTask
from shared.problems import cut_errors, title_of
from shared.service import AppShape, ReadyCheck, ServiceRuntime, build_app

log = get_logger(__name__)


def create_app(settings: GatewaySettings | None = None, clock: Clock = system_clock) -> FastAPI:
    """`clock` lets tests decide what time the retention job sees."""
    settings = settings or GatewaySettings()
    runtime = ServiceRuntime(settings, TOPICS)  # Kafka: the events keeping the card view
    context: ContextSlot[Context] = ContextSlot()
    register_subscribers(runtime, context)
    runtime.tasks.append(_audit_retention(settings, runtime, clock))

    async def start(runtime: ServiceRuntime) -> None:
        # The Context is built now (build_app's bootstrap); requests and jobs come after.
        staff, admin = context().staff, (settings.admin_username, settings.admin_password)
        await handlers_auth.ensure_first_admin(staff, *admin)

    async def stop(runtime: ServiceRuntime) -> None:
        await context().audit.close()
        await context().upstreams.close()

    shape = AppShape(
        options={"version": "1", "docs_url": None, "redoc_url": None, "openapi_url": None},
        middlewares=[
            Middleware(AuditMiddleware, audit=lambda: context().audit),
            Middleware(AnonymousGate, refuse=_not_logged_in),
        ],
        ready=_ready(runtime, lambda: context().upstreams, list(settings.upstream_urls())),
        problem_json=True,
    )
    app = build_app(
        runtime,
        title="Clientele gateway",
        context=context,
        bootstrap=lambda runtime: bootstrap(settings, runtime),
        on_start=start,
        on_stop=stop,
        description="Staff API. Log in at POST /api/v1/auth/token (OAuth2 password form) "
        "and send `Authorization: Bearer <token>`; POS systems send `X-API-Key`.",
        indexes=INDEXES,
        shape=shape,
    )
    _error_handlers(app)
    _protected_routes(app)
    return app


def _audit_retention(
    settings: GatewaySettings, runtime: ServiceRuntime, clock: Clock
) -> PeriodicTask:
    return PeriodicTask(
        "audit-retention",
        settings.retention_interval_s,
        lambda: purge_audit_once(
            runtime.db, clock(), settings.audit_retention_days, settings.retention_interval_s
        ),
    )


def _ready(
    runtime: ServiceRuntime, upstreams: Callable[[], Upstreams], names: list[str]
) -> ReadyCheck:
    """The store, Kafka and every upstream service's own readiness, asked when asked."""

    async def check(name: str) -> str:
        try:
            response = await upstreams().call(name, "GET", "/readyz")
        except Exception as exc:
            return f"unavailable: {type(exc).__name__}"
        return "ok" if response.status_code == 200 else f"not ready ({response.status_code})"

    async def answers(probe: Awaitable[Any]) -> str:
        try:
            await asyncio.wait_for(probe, 2.0)
        except Exception as exc:
            return f"unavailable: {type(exc).__name__}"
        return "ok"

    async def ready() -> dict[str, str]:
        # The metadata of one of our topics, not FastStream's ping (every topic's).
        kafka = runtime.broker.config.admin_client.describe_topics([runtime.topics(TOPICS[0])])
        store, broker = answers(runtime.db.command("ping")), answers(kafka)
        results = await asyncio.gather(store, broker, *(check(n) for n in names))
        return dict(zip(["store", "kafka", *names], results, strict=True))

    return ready


def _protected_routes(app: FastAPI) -> None:
    """Every API, console and docs route behind the guard (login or API key)."""
    protected = [Depends(guard)]
    for router in api.routers():
        app.include_router(router, dependencies=protected)
    _guard_asyncapi(app, protected)
    console.mount_static(app, protected)
    docs.add_security_schemes(app)


def _guard_asyncapi(app: FastAPI, protected: list[Any]) -> None:
    """build_app adds `/asyncapi.json` to every service that consumes; at the gateway,
    the one door from outside, it goes behind the guard like every other route."""
    for route in list(app.router.routes):
        if isinstance(route, APIRoute) and route.path == "/asyncapi.json":
            app.router.routes.remove(route)
            app.add_api_route(
                route.path, route.endpoint, methods=["GET"], tags=["ops"], dependencies=protected
            )


def _not_logged_in(request: Request) -> Response:
    exc = StarletteHTTPException(401, "log in first: send 'Authorization: Bearer <token>'")
    if request.url.path == "/" or request.url.path.startswith("/console"):
        return console.error_page(request, exc)
    answer = problem(401, title_of(401), str(exc.detail))
    answer.headers["WWW-Authenticate"] = "Bearer"
    return answer


def _error_handlers(app: FastAPI) -> None:
    """Validation and HTTP errors as problem documents (console pages as HTML)."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [  # cut: an error never echoes a large input back
            {"field": ".".join(str(p) for p in e["loc"][1:]), "message": e["msg"]}
            for e in cut_errors(exc.errors())
        ]
        detail = "; ".join(f"{e['field'] or 'body'}: {e['message']}" for e in errors)
        return problem(422, "Invalid request", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if request.url.path == "/" or request.url.path.startswith("/console"):
            return console.error_page(request, exc)
        answer = problem(exc.status_code, title_of(exc.status_code), str(exc.detail))
        answer.headers.update(exc.headers or {})
        return answer

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", path=request.url.path)
        return problem(500, "Internal error", "something went wrong on our side; it is logged")
