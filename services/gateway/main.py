"""Composition root of the gateway: store, upstream clients, the guard on every router."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.gateway import api, console, console_pages, docs, handlers_auth
from services.gateway.audit_retention import Clock, purge_audit_once, system_clock
from services.gateway.auth import AnonymousGate, AuditMiddleware, GatewayRuntime, guard
from services.gateway.config import GatewaySettings
from services.gateway.repository import (
    INDEXES,
    AuditLog,
    LoginThrottle,
    PosKeyRepository,
    Recent,
    StaffRepository,
)
from services.gateway.routes import all_routers
from services.gateway.security import TokenSigner
from services.gateway.upstream import Upstreams, problem
from shared import tracing
from shared.logging import configure_logging, get_logger
from shared.periodic import PeriodicTask
from shared.problems import add_error_table, cut_errors, title_of
from shared.service import add_ops_routes
from shared.store.indexes import ensure_indexes
from shared.store.mongo import create_mongo_client

log = get_logger(__name__)


def _secret(settings: GatewaySettings) -> str:
    if settings.token_secret:
        return settings.token_secret
    log.warning(
        "token_secret_generated",
        detail="GATEWAY_TOKEN_SECRET is not set: using a random secret for this process "
        "(dev/test only; tokens and sessions end when it stops, replicas reject each other's)",
    )
    return secrets.token_urlsafe(32)


def create_app(settings: GatewaySettings | None = None, clock: Clock = system_clock) -> FastAPI:
    """`clock` lets tests decide what time the retention job sees."""
    settings = settings or GatewaySettings()
    tracing.setup(settings.service_name)  # before the upstream clients are made
    urls = {
        "registry": settings.registry_url,
        "loyalty": settings.loyalty_url,
        "surveys": settings.surveys_url,
        "complaints": settings.complaints_url,
    }

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level, settings.log_json)
        mongo = create_mongo_client(settings.mongodb_url, settings.service_name)
        db = mongo[settings.mongodb_db]
        upstreams = Upstreams(urls, settings.upstream_timeout_s, settings.card_timeout_s)
        app.state.upstreams = upstreams
        app.state.mongo_db = db
        app.state.gateway = GatewayRuntime(
            settings=settings,
            staff=StaffRepository(db, Recent(settings.auth_cache_s)),
            pos_keys=PosKeyRepository(db, Recent(settings.auth_cache_s)),
            throttle=LoginThrottle(db, settings.login_max_failures, settings.login_window_s),
            audit=AuditLog(db),
            signer=TokenSigner(_secret(settings)),
            upstreams=upstreams,
        )
        await ensure_indexes(db, INDEXES)
        await handlers_auth.ensure_first_admin(
            app.state.gateway.staff, settings.admin_username, settings.admin_password
        )
        retention = PeriodicTask(
            "audit-retention",
            settings.retention_interval_s,
            lambda: purge_audit_once(
                db, clock(), settings.audit_retention_days, settings.retention_interval_s
            ),
        )
        retention.start()
        log.info("service_started", service="gateway", port=settings.http_port)
        try:
            yield
        finally:
            await retention.stop()
            await app.state.gateway.audit.close()
            await upstreams.close()
            await mongo.close()

    app = FastAPI(
        title="Clientele gateway",
        version="1",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        description="Staff API. Log in at POST /api/v1/auth/token (OAuth2 password form) "
        "and send `Authorization: Bearer <token>`; POS systems send `X-API-Key`.",
    )

    async def ready() -> dict[str, str]:
        upstreams: Upstreams = app.state.upstreams

        async def check(name: str) -> str:
            try:
                response = await upstreams.call(name, "GET", "/readyz")
            except Exception as exc:
                return f"unavailable: {type(exc).__name__}"
            return "ok" if response.status_code == 200 else f"not ready ({response.status_code})"

        async def store() -> str:
            try:
                await asyncio.wait_for(app.state.mongo_db.command("ping"), 2.0)
            except Exception as exc:
                return f"unavailable: {type(exc).__name__}"
            return "ok"

        results = await asyncio.gather(store(), *(check(n) for n in urls))
        return dict(zip(["store", *urls], results, strict=True))

    tracing.instrument_app(app)
    app.add_middleware(AuditMiddleware, audit=lambda: app.state.gateway.audit)
    app.add_middleware(AnonymousGate, refuse=_not_logged_in)
    add_ops_routes(app, "gateway", ready, settings.max_body_bytes)
    _error_handlers(app)
    protected = [Depends(guard)]
    app.include_router(api.router, dependencies=protected)
    app.include_router(console.router, dependencies=protected)
    app.include_router(console_pages.router, dependencies=protected)
    app.include_router(docs.router, dependencies=protected)
    for router in all_routers():
        app.include_router(router, dependencies=protected)
    console.mount_static(app, protected)
    docs.add_security_schemes(app)
    return app


def _not_logged_in(request: Request) -> Response:
    exc = StarletteHTTPException(401, "log in first: send 'Authorization: Bearer <token>'")
    if request.url.path == "/" or request.url.path.startswith("/console"):
        return console.error_page(request, exc)
    answer = problem(401, title_of(401), str(exc.detail))
    answer.headers["WWW-Authenticate"] = "Bearer"
    return answer


def _error_handlers(app: FastAPI) -> None:
    add_error_table(app, problem_json=True)

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
