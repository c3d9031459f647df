"""A manager's client list through the gateway shows how to handle each client.

The registry runs as a real process; staff register clients through the gateway.
"""

from __future__ import annotations

from collections.abc import Callable

from services.gateway.main import create_app
from tests.conftest import Slate, running
from tests.integration.gateway.conftest import gateway_settings
from tests.support.processes import ServiceProcess
from tests.support.staff import login


async def test_a_managers_client_list_carries_the_handling_tips_of_each_clients_tags(
    slate: Slate, spawn: Callable[..., ServiceProcess]
) -> None:
    registry = spawn("registry")
    registry.wait_healthy()
    async with running(create_app(gateway_settings(slate, registry_url=registry.url))) as api:
        api.headers.update(await login(api))
        tag = {"code": "talkative", "name": "Talkative", "tips": "Keep it short."}
        assert (await api.post("/api/v1/tags", json=tag)).status_code == 201
        for name, tags in [("Ada", ["aggressive"]), ("Bob", ["aggressive", "talkative"])]:
            body = {"name": name, "manager_id": "M-1", "tags": tags}
            assert (await api.post("/api/v1/clients", json=body)).status_code == 201
        assert (
            await api.post("/api/v1/clients", json={"name": "Cy", "manager_id": "M-1"})
        ).is_success
        r = await api.get("/api/v1/managers/M-1/clients")
    assert r.status_code == 200, r.text
    tips = {c["name"]: {t["code"]: t["tips"] for t in c["handling_tips"]} for c in r.json()}
    assert set(tips) == {"Ada", "Bob", "Cy"}
    assert "do not argue" in tips["Ada"]["aggressive"]
    assert tips["Bob"]["talkative"] == "Keep it short." and "aggressive" in tips["Bob"]
    assert tips["Cy"] == {}
