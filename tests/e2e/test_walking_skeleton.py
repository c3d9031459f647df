"""The first event across services, with every service a real process."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from tests.conftest import Slate
from tests.support.kafka import eventually, payloads, read_topic
from tests.support.processes import ServiceProcess
from tests.support.stack import gateway_over
from tests.support.staff import login


async def test_client_registered_at_the_gateway_gets_a_bonus_account(
    slate: Slate, spawn: Callable[..., ServiceProcess]
) -> None:
    registry, loyalty = spawn("registry"), spawn("loyalty")
    gateway = gateway_over(spawn, registry, loyalty)
    for p in (registry, loyalty):
        p.wait_healthy()
    gateway.wait_healthy(path="/healthz")  # its readiness also wants surveys and complaints

    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as api:
        api.headers.update(await login(api))
        r = await api.post("/api/v1/clients", json={"name": "Ada Lovelace", "phone": "+4930555111"})
        assert r.status_code == 201, r.text
        client_id = r.json()["id"]

        records = await read_topic(slate.infra.kafka, slate.topic("client.registered"), expect=1)
        assert payloads(records)[0]["client_id"] == client_id

        async def card_with_account() -> Any:
            card = (await api.get(f"/api/v1/clients/{client_id}")).json()
            return card if card.get("loyalty") else None

        card = await eventually(card_with_account)
    assert card["client"]["name"] == "Ada Lovelace"
    assert card["loyalty"]["balance"] == "0.00"
    # surveys and complaints are not started here: the card names them, and goes on
    assert set(card["unavailable"]) == {"surveys", "complaints"}


async def test_every_service_answers_healthz(spawn: Callable[..., ServiceProcess]) -> None:
    processes = [spawn(name) for name in ("registry", "loyalty", "surveys", "complaints")]
    async with httpx.AsyncClient() as http:
        for p in processes:
            p.wait_healthy()
            assert (await http.get(f"{p.url}/healthz")).json()["status"] == "ok"
            assert "clientele_http_requests_total" in (await http.get(f"{p.url}/metrics")).text


async def test_bad_input_at_the_gateway_is_a_422_problem(
    spawn: Callable[..., ServiceProcess],
) -> None:
    registry = spawn("registry")
    gateway = gateway_over(spawn, registry)
    registry.wait_healthy()
    gateway.wait_healthy(path="/healthz")
    async with httpx.AsyncClient(base_url=gateway.url) as http:
        r = await http.post("/api/v1/clients", json={"phone": 5}, headers=await login(http))
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "name" in r.json()["detail"]
