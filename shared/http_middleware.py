"""The HTTP middlewares every service runs, as plain ASGI (no per-request task).

Starlette's `BaseHTTPMiddleware` runs the rest of the app in a new task with memory
streams for the body; with a few of them stacked that was most of a cheap request's
cost (docs/benchmarks.md). These wrap `send` instead, in the request's own task, so
a context variable set inside (the correlation id) is the one the handler sees.
"""

from __future__ import annotations

import time

from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.messaging.correlation import HEADER as CORRELATION_HEADER
from shared.messaging.correlation import bind_correlation_id
from shared.metrics import HTTP_LATENCY, HTTP_REQUESTS
from shared.problems import too_large

_HEADER = CORRELATION_HEADER.encode("latin-1")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


class CorrelationMiddleware:
    """Bind the caller's `x-correlation-id` (or a fresh one) and echo it in the answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cid = bind_correlation_id(_header(scope, _HEADER)).encode("latin-1")

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", ()) if h[0].lower() != _HEADER]
                message["headers"] = [*headers, (_HEADER, cid)]
            await send(message)

        await self.app(scope, receive, send_with_id)


class BodyLimitMiddleware(RequestBodyLimitMiddleware):
    """Refuse a request body over `max_body_size` bytes with a 413 problem document.

    A declared `Content-Length` over the limit is answered here, before the route runs
    (Starlette's limiter alone would run a route that reads no body and only swap its
    answer). A body without one (chunked) is counted by Starlette's own plain ASGI
    limiter, which raises an `HTTPException(413)` from `receive` as soon as the count
    passes the limit; the app answers it from shared/problems.py.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            declared = _header(scope, b"content-length")
            if declared is not None and declared.isdigit() and int(declared) > self.max_body_size:
                await too_large(self.max_body_size)(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


class MetricsMiddleware:
    """Count and time every request by route template and status."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # the app raised before answering

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"]
            HTTP_REQUESTS.labels(self.service, method, path, str(status)).inc()
            HTTP_LATENCY.labels(self.service, method, path).observe(time.perf_counter() - started)
