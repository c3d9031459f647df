"""Calling the services' internal HTTP APIs, and turning their answers into ours.

Every public route the gateway offers maps to an internal route of the owning
service with the same JSON shapes (`/api/v1/x` -> `<service>/internal/v1/x`); the
gateway adds auth, audit and fan-out, not business rules.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import Request
from fastapi.responses import JSONResponse, Response

from shared import problems
from shared.messaging.correlation import HEADER, current_correlation_id

SERVICES = ("registry", "loyalty", "surveys", "complaints")
ACTOR_HEADER = "x-actor"
STORE_HEADER = "x-clientele-store"


# Every connection a burst opened is kept (httpx keeps only 20 by default, so a card
# fan-out under load closed and reopened connections all the time), for less time than
# uvicorn keeps an idle one open (5 s), so a kept connection is never closed under us.
POOL = httpx.Limits(max_connections=256, max_keepalive_connections=256, keepalive_expiry=4.0)


class Upstreams:
    """HTTP clients of the services, one keep-alive connection pool each, for the
    gateway's lifetime."""

    def __init__(self, urls: dict[str, str], timeout_s: float, card_timeout_s: float = 1.5) -> None:
        self.card_timeout_s = card_timeout_s
        self.clients = {
            name: httpx.AsyncClient(base_url=url, timeout=timeout_s, limits=POOL)
            for name, url in urls.items()
        }

    async def close(self) -> None:
        await asyncio.gather(*(c.aclose() for c in self.clients.values()))

    async def call(self, service: str, method: str, path: str, **kw: Any) -> httpx.Response:
        """`path` is built from decoded values (path parameters): it is percent-encoded
        here, so a `%`, `?` or control character in an id stays part of that id."""
        headers = {HEADER: current_correlation_id(), **kw.pop("headers", {})}
        if kw.get("json") is not None:
            kw["content"] = encode_json(kw.pop("json"))
            headers["content-type"] = "application/json"
        else:
            kw.pop("json", None)
        safe_path = quote(path, safe="/:@!$&'()*+,;=-._~")
        try:
            return await self.clients[service].request(method, safe_path, headers=headers, **kw)
        except (httpx.InvalidURL, UnicodeError) as exc:
            raise UnsendableInput(f"the request cannot be passed on: {exc}") from exc


class UnsendableInput(ValueError):
    """Input the gateway cannot pass on (text that is not valid Unicode, say): a 4xx."""


def encode_json(body: Any) -> bytes:
    try:
        return json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (UnicodeError, ValueError) as exc:
        raise UnsendableInput(f"the body is not valid JSON text: {exc}") from exc


def actor_headers(request: Request) -> dict[str, str]:
    caller = getattr(request.state, "caller", None)
    headers: dict[str, str] = {}
    if caller is not None:
        headers[ACTOR_HEADER] = caller.who
        if caller.store_id:
            headers[STORE_HEADER] = caller.store_id
    return headers


def upstreams(request: Request) -> Upstreams:
    found: Upstreams = request.app.state.upstreams
    return found


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    """An RFC 9457 problem document."""
    return problems.problem(status, detail, extra, title=title)


def unavailable(service: str) -> JSONResponse:
    return problem(503, "Service unavailable", f"the {service} service does not answer; try again")


def relay_answer(response: httpx.Response) -> Response:
    """Pass a service's answer on; its refusals become problem documents with the same
    status, detail and fields (shared/problems.py), its failures a 502."""
    if response.status_code < 400:
        return Response(
            response.content,
            status_code=response.status_code,
            media_type=response.headers.get("content-type", "application/json"),
        )
    if response.status_code >= 500:
        return problem(502, "Upstream error", "a service failed to answer; it is logged")
    try:
        body = response.json()
    except ValueError:
        body = {"detail": response.text[:500]}
    return problems.upstream_problem(response.status_code, body)


async def forward(
    request: Request, service: str, path: str, *, json_body: Any = None, method: str | None = None
) -> Response:
    """Send this request on to `service` at `path` (query string kept) and relay the answer.

    The caller the gateway identified travels along as `X-Actor` (a staff
    username or `pos-key:<id>`) and, for POS keys, `x-clientele-store`.
    """
    try:
        response = await upstreams(request).call(
            service,
            method or request.method,
            path,
            params=list(request.query_params.multi_items()),
            json=json_body,
            headers=actor_headers(request),
        )
    except httpx.HTTPError:
        return unavailable(service)
    except UnsendableInput as exc:
        return problem(422, "Invalid request", str(exc))
    return relay_answer(response)
