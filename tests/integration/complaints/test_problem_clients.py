"""Problem-client proposals: evidence from tags, returns and unfounded claims; a
manager's confirmation changes the category in the (real) registry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from services.complaints.main import create_app
from shared.contracts.pos import ClientRef, PurchaseReturned, ReturnedLine
from shared.contracts.registry import ClientRegistered
from tests.conftest import Slate, running
from tests.integration.complaints.support import complaints_settings, publish
from tests.support.kafka import eventually
from tests.support.processes import ServiceProcess


def returned(return_id: str, card: str) -> PurchaseReturned:
    return PurchaseReturned(
        return_id=return_id,
        purchase_id=f"p-{return_id}",
        client=ClientRef(card_number=card),
        lines=[ReturnedLine(sku="A1", quantity=1)],  # type: ignore[arg-type]
    )


async def proposals(api: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    return {p["client_id"]: p for p in (await api.get("/internal/v1/problem-clients")).json()}


async def test_returns_counted_by_card_make_a_proposal_with_the_evidence(slate: Slate) -> None:
    async with running(create_app(complaints_settings(slate, problem_returns=2))) as api:
        await publish(slate, ClientRegistered(client_id="c-r", name="Ray", card_number="C123"))
        await eventually(lambda: _ok(api, "/internal/v1/clients/c-r"), timeout_s=10)
        for event in (returned("r-1", "C123"), returned("r-1", "C123")):
            await publish(slate, event)
        await publish(slate, returned("r-2", "C123"))

        async def proposed() -> Any:
            return (await proposals(api)).get("c-r")

        found = await eventually(proposed, timeout_s=10)
    assert sorted(found["evidence"]["returns"]) == ["r-1", "r-2"]
    assert found["reasons"] == ["2 returns"]


async def test_repeated_unfounded_claims_make_a_proposal(slate: Slate) -> None:
    async with running(create_app(complaints_settings(slate))) as api:
        for _ in range(2):
            r = await api.post(
                "/internal/v1/complaints",
                json={"client_id": "c-u", "kind": "claim", "channel": "email", "topic": "pricing"},
            )
            for status in ("in_progress", "resolved"):
                await api.post(
                    f"/internal/v1/complaints/{r.json()['id']}/status",
                    json={"status": status, "comment": "price was right", "founded": False},
                )
        found = (await proposals(api))["c-u"]
    assert found["reasons"] == ["2 unfounded claims"]
    assert len(found["evidence"]["unfounded_claims"]) == 2


async def test_confirming_an_aggressive_client_makes_them_a_problem_client_in_the_registry(
    slate: Slate, spawn: Callable[..., ServiceProcess]
) -> None:
    registry = spawn("registry")
    registry.wait_healthy()
    settings = complaints_settings(slate, registry_url=registry.url, registry_timeout_s=30)
    async with (
        running(create_app(settings)) as api,
        httpx.AsyncClient(base_url=registry.url, timeout=30) as reg,
    ):
        r = await reg.post("/internal/v1/clients", json={"name": "Rex", "tags": ["aggressive"]})
        assert r.status_code == 201, r.text
        client_id = r.json()["id"]

        async def proposed() -> Any:
            return (await proposals(api)).get(client_id)

        found = await eventually(proposed, timeout_s=30)
        confirmed = await api.post(
            f"/internal/v1/problem-clients/{client_id}/confirm",
            json={"reason": "shouted at staff twice"},
            headers={"X-Actor": "manager-1"},
        )
        card = (await reg.get(f"/internal/v1/clients/{client_id}")).json()

        async def projected_as_problem() -> bool:
            known = (await api.get(f"/internal/v1/clients/{client_id}")).json()
            return bool(known["category"] == "problem")

        await eventually(projected_as_problem, timeout_s=30)
        left = await proposals(api)
        again = await api.post(f"/internal/v1/problem-clients/{client_id}/confirm", json={})
    assert found["reasons"] == ["tag:aggressive"]
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["decided_by"] == "manager-1"
    assert card["category"] == "problem"
    assert client_id not in left
    assert again.status_code == 404


async def _ok(api: httpx.AsyncClient, path: str) -> bool:
    return (await api.get(path)).status_code == 200
