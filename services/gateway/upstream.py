"""Calling the services' internal HTTP APIs, and turning their answers into ours.

Every public route the gateway offers maps to an internal route of the owning
service with the same JSON shapes (`/api/v1/x` -> `<service>/internal/v1/x`); the
gateway adds auth, audit and fan-out, not business rules.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from yarl import URL

from shared import problems
from shared.messaging.correlation import HEADER, current_correlation_id
from shared.trace_client import client_call

SERVICES = ("registry", "loyalty", "surveys", "complaints")
ACTOR_HEADER = "x-actor"
STORE_HEADER = "x-clientele-store"
POOL_SIZE = 256  # every connection a burst (a card fan-out under load) opened is kept
# Kept idle for less time than uvicorn keeps an idle connection open (5 s), so a kept
# connection is never closed under us.
KEEPALIVE_S = 4.0


@dataclass(frozen=True)
class Answer:
    """A service's answer, read whole (the same names as an httpx response has)."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


class UpstreamDown(Exception):
    """The service did not answer: refused, reset or too slow."""


class Upstreams:
    """HTTP clients of the services, one aiohttp session (a keep-alive connection pool)
    each, for the gateway's lifetime: made in its lifespan, closed when it stops.

    aiohttp's client, not httpx: httpx was 68 % of the gateway's CPU on a card lookup
    (1.2 ms of client CPU per upstream call, docs/benchmarks.md).
    """

    def __init__(self, urls: dict[str, str], timeout_s: float, card_timeout_s: float = 1.5) -> None:
        self.card_timeout_s = card_timeout_s
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.bases = {name: URL(url) for name, url in urls.items()}
        self.sessions = {
            name: aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=POOL_SIZE, keepalive_timeout=KEEPALIVE_S),
                timeout=self.timeout,
                cookie_jar=aiohttp.DummyCookieJar(),  # no state from one call to the next
                trust_env=False,
            )
            for name in urls
        }

    async def close(self) -> None:
        await asyncio.gather(*(s.close() for s in self.sessions.values()))

    async def call(self, service: str, method: str, path: str, **kw: Any) -> Answer:
        """`path` is built from decoded values (path parameters): it is percent-encoded
        here and sent as it is, so a `%`, `?`, `..` or control character in an id stays
        part of that id. `kw`: `params`, `json` or `content`, `headers`, `timeout` (s).
        Raises `UpstreamDown` when the service does not answer."""
        headers = {HEADER: current_correlation_id(), **kw.get("headers", {})}
        body = kw.get("content")
        if kw.get("json") is not None:
            body = encode_json(kw["json"])
            headers["content-type"] = "application/json"
        timeout = aiohttp.ClientTimeout(total=kw["timeout"]) if "timeout" in kw else None
        try:
            url = self.bases[service].with_path(quote(path, safe=SAFE), encoded=True)
            with client_call(method, str(url), url.host or "", url.port) as outgoing:
                async with self.sessions[service].request(
                    method, url, params=kw.get("params"), data=body,
                    headers=headers | outgoing.headers, timeout=timeout or self.timeout,
                ) as response:  # fmt: skip
                    content = await response.read()
                outgoing.answered(response.status)
        except (aiohttp.ClientError, TimeoutError) as exc:
            if isinstance(exc, aiohttp.InvalidURL):
                raise UnsendableInput(f"the request cannot be passed on: {exc}") from exc
            raise UpstreamDown(f"{service}: {type(exc).__name__}") from exc
        except (UnicodeError, ValueError) as exc:  # text no HTTP request can carry
            raise UnsendableInput(f"the request cannot be passed on: {exc}") from exc
        return Answer(response.status, response.headers, content)


SAFE = "/:@!$&'()*+,;=-._~"


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
    """The upstream clients of the app's Context (bootstrap.py, which imports this)."""
    found: Upstreams = request.app.state.context().upstreams
    return found


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    """An RFC 9457 problem document."""
    return problems.problem(status, detail, extra, title=title)


def unavailable(service: str) -> JSONResponse:
    return problem(503, "Service unavailable", f"the {service} service does not answer; try again")


def relay_answer(response: Answer) -> Response:
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


def pass_on(router: APIRouter, service: str, routes: Sequence[tuple[str, str, str]]) -> None:
    """Mount GET routes without path parameters that pass their request on as it came
    (query string kept): (public path, the service's path, what it answers)."""
    for path, internal, description in routes:
        name = internal.rsplit("/v1/", 1)[-1].replace("/", "_").replace("-", "_")
        endpoint = _passing_on(service, internal)
        router.add_api_route(path, endpoint, methods=["GET"], name=name, description=description)


def _passing_on(service: str, internal: str) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        return await forward(request, service, internal)

    return endpoint


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
    except UpstreamDown:
        return unavailable(service)
    except UnsendableInput as exc:
        return problem(422, "Invalid request", str(exc))
    return relay_answer(response)
