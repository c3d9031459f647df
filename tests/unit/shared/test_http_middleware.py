"""The plain-ASGI middlewares every service runs: correlation id and request metrics."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from shared.messaging.correlation import current_correlation_id
from shared.metrics import HTTP_REQUESTS
from shared.service import add_ops_routes


def app_with_ops() -> FastAPI:
    app = FastAPI()

    async def ready() -> dict[str, str]:
        return {"store": "ok"}

    add_ops_routes(app, "mwtest", ready)

    @app.get("/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id, "seen_correlation_id": current_correlation_id()}

    return app


def count(route: str, status: str) -> float:
    value = HTTP_REQUESTS.labels("mwtest", "GET", route, status)._value.get()
    return float(value)


async def test_the_callers_correlation_id_reaches_the_handler_and_comes_back() -> None:
    transport = httpx.ASGITransport(app=app_with_ops())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as api:
        given = await api.get("/things/1", headers={"x-correlation-id": "corr-42"})
        fresh = await api.get("/things/2")
    assert given.headers["x-correlation-id"] == "corr-42"
    assert given.json()["seen_correlation_id"] == "corr-42"
    assert len(fresh.headers["x-correlation-id"]) == 32
    assert fresh.json()["seen_correlation_id"] == fresh.headers["x-correlation-id"]


async def test_requests_are_counted_by_route_template_and_status() -> None:
    before_ok, before_missing = count("/things/{thing_id}", "200"), count("unmatched", "404")
    transport = httpx.ASGITransport(app=app_with_ops())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as api:
        for n in range(3):
            await api.get(f"/things/{n}")
        await api.get("/nowhere")
    assert count("/things/{thing_id}", "200") == before_ok + 3
    assert count("unmatched", "404") == before_missing + 1
