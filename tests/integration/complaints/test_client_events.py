"""What complaints learns from loyalty and the registry: a top tier or a high lifetime
spend makes a case urgent; a merge moves cases to the survivor; an erasure blanks words."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from services.complaints.main import create_app
from shared.contracts.loyalty import TierChanged
from shared.contracts.registry import (
    ClientErased,
    ClientMerged,
    ClientRegistered,
    ClientUpdated,
)
from tests.conftest import Slate, running
from tests.integration.complaints.support import complaints_settings, publish
from tests.support.kafka import eventually, payloads, read_topic


async def open_case(api: httpx.AsyncClient, client_id: str) -> dict[str, Any]:
    r = await api.post(
        "/internal/v1/complaints",
        json={
            "client_id": client_id,
            "channel": "in_person",
            "topic": "product_quality",
            "text": "my name is Ada and the kettle leaks",
        },
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_top_tier_and_high_spend_from_tier_changed_make_a_case_critical(
    slate: Slate,
) -> None:
    async with running(create_app(complaints_settings(slate))) as api:
        await publish(
            slate,
            TierChanged(
                client_id="t-1",
                old_tier="gold",
                new_tier="platinum",
                lifetime_spend=Decimal("900.00"),
                currency="EUR",
            ),
        )
        await publish(
            slate,
            TierChanged(
                client_id="t-2",
                old_tier=None,
                new_tier="silver",
                lifetime_spend=Decimal("7000.00"),
                currency="EUR",
            ),
        )

        async def tier_known(client_id: str) -> bool:
            r = await api.get(f"/internal/v1/clients/{client_id}")
            return r.status_code == 200 and r.json()["tier"] is not None

        await eventually(lambda: tier_known("t-1"))
        await eventually(lambda: tier_known("t-2"))
        top, rich = await open_case(api, "t-1"), await open_case(api, "t-2")
    assert top["priority"] == "critical" and "tier:platinum" in top["priority_reasons"]
    assert rich["priority"] == "critical" and "lifetime_spend:7000.00" in rich["priority_reasons"]
    assert top["client_tier"] == "platinum"


async def test_merge_moves_cases_to_the_survivor_and_erasure_blanks_the_clients_words(
    slate: Slate,
) -> None:
    async with running(create_app(complaints_settings(slate))) as api:
        await publish(slate, ClientRegistered(client_id="old", name="Ada"))
        await eventually(lambda: _ok(api, "/internal/v1/clients/old"))
        moved = await open_case(api, "old")
        await publish(slate, ClientMerged(survivor_id="new", merged_id="old"))

        async def on_survivor() -> Any:
            r = await api.get("/internal/v1/clients/new/complaints")
            return r.json() or None

        (case,) = await eventually(on_survivor)
        gone = (await api.get("/internal/v1/clients/old/complaints")).json()
        await publish(slate, ClientErased(client_id="new"))

        async def blanked() -> Any:
            r = await api.get(f"/internal/v1/complaints/{moved['id']}")
            return r.json() if r.json()["text"] is None else None

        erased = await eventually(blanked)
    assert case["id"] == moved["id"] and case["client_id"] == "new"
    assert gone == []
    assert erased["topic"] == "product_quality"  # the anonymised case still counts


async def _ok(api: httpx.AsyncClient, path: str) -> bool:
    return (await api.get(path)).status_code == 200


async def test_a_client_who_becomes_vip_has_open_cases_escalated_to_the_manager_once(
    slate: Slate,
) -> None:
    async with running(create_app(complaints_settings(slate))) as api:
        await publish(slate, ClientRegistered(client_id="up-1", name="Eve", manager_id="M-3"))
        await eventually(lambda: _ok(api, "/internal/v1/clients/up-1"))
        case = await open_case(api, "up-1")
        await publish(slate, ClientUpdated(client_id="up-1", changed={"category": "vip"}))
        await publish(
            slate,
            TierChanged(
                client_id="up-1",
                old_tier="gold",
                new_tier="platinum",
                lifetime_spend=Decimal("9000.00"),
                currency="EUR",
            ),
        )

        async def raised() -> Any:
            stored = (await api.get(f"/internal/v1/complaints/{case['id']}")).json()
            return stored if stored["priority"] == "critical" else None

        stored = await eventually(raised)
        await eventually(lambda: _tier(api, "up-1"))
        escalated = await read_topic(
            slate.infra.kafka, slate.topic("complaint.escalated"), expect=2, timeout_s=4
        )
        stored = (await api.get(f"/internal/v1/complaints/{case['id']}")).json()
    assert case["priority"] == "normal" and case["escalations"] == []
    assert [e["manager_id"] for e in stored["escalations"]] == ["M-3"]
    assert stored["resolution_due"] < case["resolution_due"]  # the critical clock is shorter
    events = {e["event_id"]: e for e in payloads(escalated)}.values()
    assert [(e["complaint_id"], e["manager_id"]) for e in events] == [(case["id"], "M-3")]


async def _tier(api: httpx.AsyncClient, client_id: str) -> bool:
    return bool((await api.get(f"/internal/v1/clients/{client_id}")).json()["tier"])
