"""The audit of staff actions: every write by an identified caller and every read that
shows a client, recorded with its result once the response is known."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.audit.repository import MAX_LISTING_BYTES, AuditLog, clients_shown, is_listing
from services.gateway.auth.model import Caller, is_write


class AuditMiddleware:
    """Record every write by an identified caller and every read that shows a client
    (a route with `{client_id}`, or a listing of clients: the ids it listed), with its
    result, once the answer is known. Entries are queued (`AuditLog.record_later`) and
    written in batches off the request path (services/gateway/audit.py)."""

    def __init__(self, app: ASGIApp, audit: Callable[[], AuditLog]) -> None:
        self.app = app
        self.audit = audit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status, listing, body = 500, False, bytearray()

        async def send_and_note(message: Message) -> None:
            nonlocal status, listing
            if message["type"] == "http.response.start":
                status = int(message["status"])
                listing = is_listing(scope) and status == 200
            elif message["type"] == "http.response.body" and listing:
                body.extend(message.get("body", b"")[: MAX_LISTING_BYTES - len(body)])
            await send(message)

        await self.app(scope, receive, send_and_note)
        request = Request(scope)
        who: Caller | None = getattr(request.state, "caller", None)
        if who is None:
            return
        clients = clients_shown(request, bytes(body) if listing else None)
        if is_write(scope["method"]) or clients:
            record(self.audit(), request, who, status, clients)


def record(
    audit: AuditLog, request: Request, who: Caller, status: int, clients: list[str] | None = None
) -> None:
    route = request.scope.get("route")
    entry: dict[str, Any] = {
        "who": who.who,
        "role": who.role.value if who.role else None,
        "store_id": who.store_id,
        "action": f"{request.method} {getattr(route, 'path', request.url.path)}",
        "path": request.url.path,
        "params": dict(request.path_params),
        "status": status,
        "result": "ok" if status < 400 else ("denied" if status in (401, 403) else "failed"),
        "kind": "write" if is_write(request.method) else "read",
        "client_ids": clients or [],
    }
    audit.record_later(entry)
