"""Composition root of the gateway."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.gateway.config import GatewaySettings
from services.gateway.routes import all_routers
from services.gateway.upstream import Upstreams, problem
from shared.logging import configure_logging, get_logger
from shared.service import add_ops_routes

log = get_logger(__name__)


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    urls = {
        "registry": settings.registry_url,
        "loyalty": settings.loyalty_url,
        "surveys": settings.surveys_url,
        "complaints": settings.complaints_url,
    }

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level, settings.log_json)
        app.state.upstreams = Upstreams(urls, settings.upstream_timeout_s)
        log.info("service_started", service="gateway", port=settings.http_port)
        try:
            yield
        finally:
            await app.state.upstreams.close()

    app = FastAPI(title="Clientele gateway", version="1", lifespan=lifespan)

    async def ready() -> dict[str, str]:
        upstreams: Upstreams = app.state.upstreams

        async def check(name: str) -> str:
            try:
                response = await upstreams.call(name, "GET", "/readyz")
            except Exception as exc:
                return f"unavailable: {type(exc).__name__}"
            return "ok" if response.status_code == 200 else f"not ready ({response.status_code})"

        results = await asyncio.gather(*(check(n) for n in urls))
        return dict(zip(urls, results, strict=True))

    add_ops_routes(app, "gateway", ready)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"][1:]), "message": e["msg"]}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field'] or 'body'}: {e['message']}" for e in errors)
        return problem(422, "Invalid request", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, "Request refused", str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", path=request.url.path)
        return problem(500, "Internal error", "something went wrong on our side; it is logged")

    for router in all_routers():
        app.include_router(router)
    return app
