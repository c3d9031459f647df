"""Who is calling and may they: the one guard every gateway route passes.

`guard` is added as a dependency to every router the gateway mounts (main.py); it
looks up the matched route's template in the policy (`model.rule_for`), so a router
another area adds is protected without touching it. The audit of what they did is
`audit/middleware.py`.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi import HTTPException, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from services.gateway.auth.model import Access, Caller, Role, rule_for
from services.gateway.auth.security import pos_key_digest
from services.gateway.bootstrap import Context, context_in

SESSION_COOKIE = "clientele_session"
API_KEY_HEADER = "x-api-key"


def caller(request: Request) -> Caller:
    """The caller the guard identified (routes behind the guard only)."""
    found: Caller = request.state.caller
    return found


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def _staff(request: Request, rt: Context) -> Caller:
    bearer = _bearer(request)
    if bearer is not None:
        claims = rt.signer.read(bearer, "api")
    elif cookie := request.cookies.get(SESSION_COOKIE):
        claims = rt.signer.read(cookie, "session")
    else:
        raise _unauthorized("log in first: send 'Authorization: Bearer <token>'")
    if claims is None:
        raise _unauthorized("the token is invalid or expired; log in again")
    found = await rt.staff.find_cached(claims.username)
    if found is None or not found[0].active:
        raise _unauthorized("this account no longer exists or is disabled")
    # The role is read from the store (remembered for `auth_cache_s`; a change made
    # through this gateway forgets it at once), so a demotion applies at once.
    return Caller(who=found[0].username, role=found[0].role)


async def _pos(request: Request, rt: Context) -> Caller:
    key = request.headers.get(API_KEY_HEADER)
    if not key:
        raise _unauthorized("POS routes need an 'X-API-Key' header")
    doc = await rt.pos_keys.find_cached(pos_key_digest(key))
    if doc is None:
        raise _unauthorized("unknown or revoked POS API key")
    pos = Caller(who=f"pos-key:{doc['key_id']}", store_id=str(doc["store_id"]))
    request.state.caller = pos
    claimed = await _claimed_store(request)
    if claimed is not None and claimed != pos.store_id:
        raise HTTPException(403, detail=f"this key is for store {pos.store_id}, not {claimed}")
    return pos


async def _claimed_store(request: Request) -> str | None:
    if "json" not in request.headers.get("content-type", ""):
        return None
    try:
        body = json.loads(await request.body() or b"null")
    except ValueError:
        return None  # the route's own validation says what is wrong
    store = body.get("store_id") if isinstance(body, dict) else None
    return str(store) if store is not None else None


async def guard(request: Request) -> None:
    """Authenticate and authorise the caller of the matched route, by the policy."""
    route = request.scope.get("route")
    rule = rule_for(request.method, getattr(route, "path", request.url.path))
    if rule.access is Access.public:
        return
    rt = context_in(request)
    if rule.access is Access.pos_key:
        request.state.caller = await _pos(request, rt)
        return
    who = await _staff(request, rt)
    request.state.caller = who
    needed = rule.role or Role.operator
    if who.role is None or not who.role.covers(needed):
        raise HTTPException(403, detail=f"this needs the {needed.value} role; you are {who.role}")


def has_credentials(request: Request) -> bool:
    headers = request.headers
    return bool(
        headers.get("authorization")
        or headers.get(API_KEY_HEADER)
        or request.cookies.get(SESSION_COOKIE)
    )


class AnonymousGate:
    """Refuse a caller with no credentials at all before anything reads the request, so
    not even a malformed body gets an answer but 401. Public routes have no path
    parameters, so the raw path decides here exactly as the template does in `guard`.
    Plain ASGI (not `BaseHTTPMiddleware`): no extra task per request."""

    def __init__(self, app: ASGIApp, refuse: Callable[[Request], Response]) -> None:
        self.app = app
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if has_credentials(request) or rule_for(request.method, request.url.path).access is (
            Access.public
        ):
            await self.app(scope, receive, send)
            return
        await self.refuse(request)(scope, receive, send)
