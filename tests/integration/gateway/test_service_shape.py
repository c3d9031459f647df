"""The gateway runs through the shared `build_app`: it starts, answers and stops, and
says which of the store, Kafka (its card view consumes events) and the upstream
services are not ready."""

from __future__ import annotations

import dataclasses

import pytest

from services.gateway.bootstrap import Context
from services.gateway.main import create_app
from tests.conftest import Slate, running
from tests.integration.gateway.conftest import gateway_settings


async def test_gateway_reports_store_kafka_and_upstreams(slate: Slate) -> None:
    app = create_app(gateway_settings(slate))
    async with running(app) as http:
        assert (await http.get("/healthz")).json() == {"status": "ok", "service": "gateway"}
        ready = await http.get("/readyz")
        assert (await http.get("/asyncapi.json")).status_code in (401, 404)
    checks = ready.json()["checks"]
    assert ready.status_code == 503
    assert checks["store"] == "ok" and checks["kafka"] == "ok"
    assert set(checks) == {"store", "kafka", "registry", "loyalty", "surveys", "complaints"}
    assert checks["registry"].startswith("unavailable")


async def test_the_gateway_builds_one_frozen_context_at_start(slate: Slate) -> None:
    app = create_app(gateway_settings(slate))
    async with running(app) as http:
        context = app.state.context()
        await http.get("/healthz")
        assert app.state.context() is context  # the same one, not one per request
    assert isinstance(context, Context)
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.audit = context.audit  # type: ignore[misc]
