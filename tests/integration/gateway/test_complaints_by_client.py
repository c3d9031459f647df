"""Staff list one client's complaints through the gateway, by status.

The complaints service runs as a real process; the client becomes known to it through
`client.registered` on Kafka, and staff open and work cases through the gateway.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from services.gateway.main import create_app
from shared.contracts import ClientRegistered
from tests.conftest import Slate, running
from tests.integration.gateway.conftest import gateway_settings
from tests.support.kafka import eventually, produce
from tests.support.processes import ServiceProcess
from tests.support.staff import login

CASE = {"client_id": "c-7", "kind": "complaint", "channel": "phone", "topic": "waiting_time"}


async def open_case(api: httpx.AsyncClient, text: str, *moves: str) -> str:
    r = await api.post("/api/v1/complaints", json={**CASE, "text": text})
    assert r.status_code == 201, r.text
    case_id = str(r.json()["id"])
    for status in moves:
        moved = await api.post(f"/api/v1/complaints/{case_id}/status", json={"status": status})
        assert moved.status_code == 200, moved.text
    return case_id


async def listed(api: httpx.AsyncClient, **params: str) -> list[str]:
    r = await api.get("/api/v1/complaints", params={"client_id": "c-7", **params})
    assert r.status_code == 200, r.text
    return [item["id"] for item in r.json()["items"]]


async def test_a_clients_complaints_list_open_resolved_or_all_of_them(
    slate: Slate, spawn: Callable[..., ServiceProcess]
) -> None:
    complaints = spawn("complaints")
    complaints.wait_healthy()
    registered = ClientRegistered(client_id="c-7", name="Ada")
    await produce(
        slate.infra.kafka, slate.topic(registered.TOPIC), registered.model_dump_json().encode(),
        key=b"c-7",
    )  # fmt: skip
    async with (
        httpx.AsyncClient(base_url=complaints.url) as internal,
        running(create_app(gateway_settings(slate, complaints_url=complaints.url))) as api,
    ):

        async def known() -> bool:
            return (await internal.get("/internal/v1/clients/c-7")).status_code == 200

        await eventually(known)
        api.headers.update(await login(api))
        waiting = await open_case(api, "queue", "in_progress")
        resolved = await open_case(api, "rude", "in_progress", "resolved")
        closed = await open_case(api, "cold", "in_progress", "resolved", "closed")
        by_default = await listed(api)
        open_only = await listed(api, status="open")
        done = await listed(api, status="resolved")
        everything = await listed(api, status="all")
        exact = await listed(api, status="closed")
        board_resolved = await api.get("/api/v1/complaints", params={"status": "resolved"})
        unknown = await api.get("/api/v1/complaints", params={"client_id": "c-7", "status": "x"})

    assert sorted(by_default) == sorted([waiting, resolved, closed])  # a client's: all
    assert open_only == [waiting]
    assert sorted(done) == sorted([resolved, closed])  # resolved, closed after resolving
    assert sorted(everything) == sorted([waiting, resolved, closed])
    assert exact == [closed]
    assert board_resolved.status_code == 422  # the board (no client) holds open cases only
    assert "client_id" in board_resolved.text
    assert unknown.status_code == 422 and "status" in unknown.text
