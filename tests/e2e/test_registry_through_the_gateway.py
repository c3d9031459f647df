"""Registering through the gateway (real processes) announces the whole client card."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.conftest import Slate
from tests.support.kafka import payloads, read_topic
from tests.support.processes import ServiceProcess
from tests.support.stack import gateway_over
from tests.support.staff import login


async def test_client_registered_at_the_gateway_carries_category_card_and_consents(
    slate: Slate, spawn: Callable[..., ServiceProcess]
) -> None:
    registry = spawn("registry")
    gateway = gateway_over(spawn, registry)
    registry.wait_healthy()
    gateway.wait_healthy(path="/healthz")

    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as api:
        api.headers.update(await login(api))
        r = await api.post(
            "/api/v1/clients",
            json={
                "name": "Grace Hopper",
                "phone": "+49 30 7654321",
                "email": "Grace@Example.com",
                "category": "vip",
                "consents": {"sms": True, "post": False},
                "consent_source": "front_desk",
            },
        )
        assert r.status_code == 201, r.text
        client = r.json()
        found = await api.get("/api/v1/clients", params={"q": "030 7654321"})
        assert found.status_code == 200, found.text
        assert [c["id"] for c in found.json()["items"]] == [client["id"]]
        categories = (await api.get("/api/v1/categories")).json()
        assert "vip" in [c["code"] for c in categories]

    records = await read_topic(slate.infra.kafka, slate.topic("client.registered"), expect=1)
    event = payloads(records)[0]
    assert event["client_id"] == client["id"]
    assert event["category"] == "vip"
    assert event["card_number"] == client["card_number"] and len(event["card_number"]) == 16
    assert event["consents"]["sms"]["granted"] is True
    assert event["consents"]["sms"]["source"] == "front_desk"
    assert event["consents"]["post"]["granted"] is False
    assert event["email"] == "grace@example.com"
