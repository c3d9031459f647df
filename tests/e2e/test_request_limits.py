"""Request bodies are limited on every route of every service and the gateway, and a
validation error never echoes a large input back. All five services run as processes.

Issue 13 item 3: a 5 MB JSON body to `POST /api/v1/clients` was answered 422 with the
whole 5 MB echoed back.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import httpx

from tests.support.processes import ServiceProcess
from tests.support.stack import Stack, whole_stack
from tests.support.staff import login

MIB = 1024 * 1024
PROBLEM = "application/problem+json"
SMALL_ANSWER = 4096  # bytes: an error answer says what is wrong, it does not echo


def five_mb_client() -> bytes:
    return json.dumps({"name": "A" * (5 * MIB), "phone": "+49 30 1234567"}).encode()


def assert_413(r: httpx.Response, where: str) -> None:
    assert r.status_code == 413, (where, r.status_code, r.text[:300])
    assert r.headers["content-type"] == PROBLEM, where
    assert r.json()["status"] == 413 and "larger than the limit" in r.json()["detail"], where
    assert len(r.content) < SMALL_ANSWER, where


async def writes_of(api: httpx.AsyncClient, headers: dict[str, str]) -> list[tuple[str, str]]:
    """Every route of this process's OpenAPI that takes a body, path parameters filled."""
    spec = (await api.get("/openapi.json", headers=headers)).json()
    found = []
    for path, methods in spec["paths"].items():
        filled = "/".join("x" if p.startswith("{") else p for p in path.split("/"))
        found += [(m.upper(), filled) for m in methods if m in ("post", "put", "patch")]
    assert found, "no route takes a body?"
    return found


async def test_a_body_over_the_limit_is_a_413_on_every_route_of_every_process(
    spawn: Callable[..., ServiceProcess],
) -> None:
    stack = whole_stack(spawn)
    big = b"{" + b" " * (MIB + 10) + b"}"
    async with httpx.AsyncClient(base_url=stack.gateway.url, timeout=30) as api:
        staff = await login(api)
    checked = 0
    for process in (stack.registry, stack.loyalty, stack.surveys, stack.complaints, stack.gateway):
        headers = staff if process is stack.gateway else {}
        async with httpx.AsyncClient(base_url=process.url, timeout=30) as api:
            for method, path in await writes_of(api, headers):
                r = await api.request(
                    method,
                    path,
                    content=big,
                    headers={**headers, "content-type": "application/json"},
                )
                assert_413(r, f"{process.name} {method} {path}")
                checked += 1
    assert checked >= 40, checked


async def chunks(total: int) -> AsyncIterator[bytes]:
    """A body sent without a Content-Length (chunked), as a streaming client sends it."""
    yield b'{"name": "'
    for _ in range(total // 65536):
        yield b"A" * 65536
    yield b'"}'


async def test_the_newcomers_5_mb_registration_and_the_doors_without_a_token(
    spawn: Callable[..., ServiceProcess],
) -> None:
    stack = whole_stack(spawn)
    async with httpx.AsyncClient(base_url=stack.gateway.url, timeout=30) as api:
        staff = await login(api)
        assert_413(await api.post("/api/v1/clients", content=five_mb_client(), headers={
            **staff, "content-type": "application/json"}), "register, 5 MB")  # fmt: skip
        chunked = await api.post(
            "/api/v1/clients", content=chunks(2 * MIB),
            headers={**staff, "content-type": "application/json"},
        )  # fmt: skip
        assert_413(chunked, "register, 2 MB chunked")
        key = (await api.post("/api/v1/pos-keys", json={"store_id": "S1"}, headers=staff)).json()
        pos = {"X-API-Key": key["key"], "content-type": "application/json"}
        assert_413(await api.post("/api/v1/pos/quote", content=chunks(2 * MIB), headers=pos),
                   "POS quote, chunked")  # fmt: skip
        sms = {"content-type": "application/x-www-form-urlencoded"}
        assert_413(await api.post("/api/v1/sms/inbound", content=b"x" * (2 * MIB), headers=sms),
                   "SMS webhook")  # fmt: skip
        assert_413(await api.post("/api/v1/auth/token", content=b"x" * (2 * MIB), headers=sms),
                   "login")  # fmt: skip
        # under the limit a request still works
        ok = await api.post("/api/v1/clients", json={"name": "Ada"}, headers=staff)
        assert ok.status_code == 201, ok.text
    await assert_no_echo(stack, staff)


async def assert_no_echo(stack: Stack, staff: dict[str, str]) -> None:
    """A large value (under the limit) that fails validation is cut in the answer."""
    long_name = {"name": "B" * 900_000}
    unknown_fields = {f"field{i}": "C" * 50 for i in range(10_000)} | {"name": "Ada"}
    for base, path, headers in (
        (stack.registry.url, "/internal/v1/clients", {}),
        (stack.gateway.url, "/api/v1/clients", staff),
    ):
        async with httpx.AsyncClient(base_url=base, timeout=30) as api:
            for body in (long_name, unknown_fields):
                r = await api.post(path, json=body, headers=headers)
                assert r.status_code == 422, (path, r.text[:300])
                assert len(r.content) < 20_000, (path, len(r.content))
                assert "B" * 200 not in r.text and r.text.count("field") <= 40, path
