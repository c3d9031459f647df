"""The body limit (shared/http_middleware.py) on a bare app: the setting decides, a
declared or a streamed body over it is a 413 problem, a validation error echoes no
large value (shared/problems.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import Body, FastAPI
from pydantic import BaseModel, ConfigDict, Field

from services.registry.config import RegistrySettings
from shared.problems import add_error_table, cut, cut_errors
from shared.service import add_ops_routes


class Form(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=10)


def app_with_limit(limit: int) -> FastAPI:
    app = FastAPI()

    async def ready() -> dict[str, str]:
        return {}

    add_ops_routes(app, "limit-test", ready, limit)
    add_error_table(app)

    @app.post("/echo")
    async def echo(body: dict[str, Any] = Body(...)) -> dict[str, int]:
        return {"keys": len(body)}

    @app.post("/form")
    async def form(body: Form) -> dict[str, str]:
        return {"name": body.name}

    return app


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def streamed(size: int) -> AsyncIterator[bytes]:
    yield b'{"a": "'
    for _ in range(size // 1024):
        yield b"x" * 1024
    yield b'"}'


def test_the_limit_is_a_setting_with_a_default_of_one_mib(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert RegistrySettings().max_body_bytes == 1024 * 1024
    monkeypatch.setenv("REGISTRY_MAX_BODY_BYTES", "2048")
    assert RegistrySettings().max_body_bytes == 2048


@pytest.mark.parametrize("declared", [True, False])
async def test_a_body_over_the_limit_is_a_413_problem(declared: bool) -> None:
    async with client(app_with_limit(2048)) as api:
        content: Any = b'{"a": "' + b"x" * 4096 + b'"}' if declared else streamed(4096)
        r = await api.post("/echo", content=content, headers={"content-type": "application/json"})
        under = await api.post("/echo", json={"a": "x" * 1500})
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] == "the request body is larger than the limit of 2048 bytes"
    assert under.status_code == 200


async def test_a_validation_error_cuts_what_it_echoes() -> None:
    async with client(app_with_limit(1024 * 1024)) as api:
        long = await api.post("/form", json={"name": "N" * 500_000})
        many = await api.post(
            "/form", json={"name": "x"} | {f"f{i}": "v" * 99 for i in range(5000)}
        )
    assert long.status_code == many.status_code == 422
    assert len(long.content) < 1000 and long.json()["detail"][0]["input"] == "N" * 100 + "…"
    assert len(many.json()["detail"]) == 20 and len(many.content) < 10_000


def test_cut_keeps_short_values_as_they_are() -> None:
    assert cut("short") == "short" and cut({"a": 1}) == {"a": 1} and cut(7) == 7
    assert cut("x" * 101) == "x" * 100 + "…"
    assert cut({"k": "v" * 200}).startswith('{"k": "vvv') and len(cut({"k": "v" * 200})) == 101
    errors = [{"loc": ["body", "k" * 500], "msg": "m", "input": "i" * 500, "ctx": {"e": 1}}]
    [one] = cut_errors(errors)
    assert one["loc"][1] == "k" * 100 + "…" and one["input"] == "i" * 100 + "…"
    assert cut_errors(cut_errors(errors)) == cut_errors(errors)  # cutting twice changes nothing
