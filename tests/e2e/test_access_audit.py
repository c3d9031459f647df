"""A card read by an operator is in the audit log under the client, with who and the
route (registry and gateway as real processes)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.support.processes import ServiceProcess
from tests.support.stack import gateway_over
from tests.support.staff import login


async def test_an_operators_card_read_and_search_are_in_the_clients_audit(
    spawn: Callable[..., ServiceProcess],
) -> None:
    registry = spawn("registry")
    gateway = gateway_over(spawn, registry)
    registry.wait_healthy()
    gateway.wait_healthy(path="/healthz")
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as api:
        admin = await login(api)
        made = await api.post(
            "/api/v1/users",
            json={"username": "desk-ola", "password": "a-long-password", "role": "operator"},
            headers=admin,
        )
        assert made.status_code == 201, made.text
        operator = await login(api, "desk-ola", "a-long-password")
        r = await api.post("/api/v1/clients", json={"name": "Ada Audit"}, headers=operator)
        assert r.status_code == 201, r.text
        client_id = r.json()["id"]
        card = await api.get(f"/api/v1/clients/{client_id}", headers=operator)
        found = await api.get("/api/v1/clients", params={"q": "Ada Audit"}, headers=operator)
        audit = await api.get("/api/v1/audit", params={"client_id": client_id}, headers=admin)
        refused = await api.get("/api/v1/audit", params={"client_id": client_id}, headers=operator)
    assert card.status_code == 200 and found.status_code == 200
    assert client_id in found.text
    assert audit.status_code == 200, audit.text
    entries = audit.json()["entries"]
    seen = {(e["who"], e["action"], e["kind"], e["status"]) for e in entries}
    assert seen == {
        ("desk-ola", "GET /api/v1/clients/{client_id}", "read", 200),
        ("desk-ola", "GET /api/v1/clients", "read", 200),
    }
    assert all(client_id in e["client_ids"] and e["at"] for e in entries)
    assert refused.status_code == 403
