"""The gateway runs through the shared `build_app` without Kafka: it starts, answers
and stops with no broker reachable, and says which upstream services are not ready."""

from __future__ import annotations

import dataclasses

import pytest

from services.gateway.bootstrap import Context
from services.gateway.main import create_app
from tests.conftest import Slate, running
from tests.integration.gateway.conftest import gateway_settings
from tests.support.processes import free_port


async def test_gateway_needs_no_kafka_and_reports_store_and_upstreams(slate: Slate) -> None:
    no_kafka = f"127.0.0.1:{free_port()}"  # nothing listens there
    app = create_app(gateway_settings(slate, kafka_bootstrap_servers=no_kafka))
    async with running(app) as http:
        assert (await http.get("/healthz")).json() == {"status": "ok", "service": "gateway"}
        ready = await http.get("/readyz")
        assert (await http.get("/asyncapi.json")).status_code in (401, 404)
    checks = ready.json()["checks"]
    assert ready.status_code == 503
    assert checks["store"] == "ok"
    assert set(checks) == {"store", "registry", "loyalty", "surveys", "complaints"}
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
