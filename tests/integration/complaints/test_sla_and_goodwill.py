"""SLA breaches found by the checker with a controllable clock escalate once and earn
goodwill once, however often the checker runs."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import httpx

from services.complaints.main import create_app
from shared.contracts.registry import ClientRegistered
from tests.conftest import Slate, running
from tests.integration.complaints.support import complaints_settings, publish
from tests.support.kafka import eventually, payloads, read_topic


def unique(records: Any) -> list[dict[str, Any]]:
    return list({e["event_id"]: e for e in payloads(records)}.values())


async def open_case(api: httpx.AsyncClient, client_id: str) -> dict[str, Any]:
    r = await api.post(
        "/internal/v1/complaints",
        json={"client_id": client_id, "channel": "web", "topic": "delivery"},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def check(api: httpx.AsyncClient, now: datetime) -> dict[str, Any]:
    r = await api.post("/internal/v1/sla/check", params={"now": now.isoformat()})
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_missed_resolution_escalates_and_grants_goodwill_once_over_two_runs(
    slate: Slate,
) -> None:
    settings = complaints_settings(slate, goodwill_amount="10.00", goodwill_cap="30.00")
    async with running(create_app(settings)) as api:
        await publish(slate, ClientRegistered(client_id="c-1", name="Ada", manager_id="M-1"))
        await eventually(lambda: _status(api, "/internal/v1/clients/c-1"), timeout_s=10)
        case = await open_case(api, "c-1")
        due = datetime.fromisoformat(case["resolution_due"])
        assert datetime.fromisoformat(case["deadline"]) < due  # first response comes first
        before = await check(
            api, datetime.fromisoformat(case["first_response_due"]) - timedelta(minutes=1)
        )
        first = await check(api, due + timedelta(minutes=1))
        second = await check(api, due + timedelta(hours=5))
        granted = await read_topic(
            slate.infra.kafka, slate.topic("goodwill.granted"), expect=2, timeout_s=4
        )
        escalated = await read_topic(
            slate.infra.kafka, slate.topic("complaint.escalated"), expect=3, timeout_s=4
        )
        stored = (await api.get(f"/internal/v1/complaints/{case['id']}")).json()
    assert before["escalations"] == []
    assert {e["breach"] for e in first["escalations"]} == {"first_response", "resolution"}
    assert second["escalations"] == [] and second["goodwill"] == []
    (grant,) = unique(granted)
    assert grant["amount"] == "10.00" and grant["complaint_id"] == case["id"]
    breaches = sorted(e["breach"] for e in unique(escalated))
    assert breaches == ["first_response", "resolution"]
    assert all(e["manager_id"] == "M-1" for e in unique(escalated))
    assert sorted(stored["breaches"]) == ["first_response", "resolution"]


async def test_goodwill_stops_at_the_clients_cap_for_the_period(slate: Slate) -> None:
    settings = complaints_settings(slate, goodwill_amount="20.00", goodwill_cap="30.00")
    async with running(create_app(settings)) as api:
        cases = [await open_case(api, "c-2") for _ in range(3)]
        latest = max(datetime.fromisoformat(c["resolution_due"]) for c in cases)
        report = await check(api, latest + timedelta(minutes=1))
    amounts = sorted(g["amount"] for g in report["goodwill"])
    assert amounts == ["0.00", "10.00", "20.00"]  # 20 + 10 reaches the cap of 30
    assert [g["capped"] for g in sorted(report["goodwill"], key=lambda g: g["amount"])] == [
        True,
        True,
        False,
    ]


async def test_a_managers_goodwill_decision_is_granted_once(slate: Slate) -> None:
    async with running(create_app(complaints_settings(slate))) as api:
        case = await open_case(api, "c-3")
        path = f"/internal/v1/complaints/{case['id']}/goodwill"
        first = await api.post(path, json={"amount": "5.00"}, headers={"X-Actor": "boss"})
        again = await api.post(path, json={"amount": "5.00"}, headers={"X-Actor": "boss"})
        granted = await read_topic(
            slate.infra.kafka, slate.topic("goodwill.granted"), expect=2, timeout_s=3
        )
    assert first.json()["granted_now"] is True and first.json()["amount"] == "5.00"
    assert again.json()["granted_now"] is False
    assert again.json()["grant_id"] == first.json()["grant_id"]
    assert [g["grant_id"] for g in unique(granted)] == [first.json()["grant_id"]]


async def _status(api: httpx.AsyncClient, path: str) -> bool:
    return (await api.get(path)).status_code == 200


async def test_the_scheduled_checker_escalates_a_breach_on_its_own(slate: Slate) -> None:
    seconds = {p: 1 / 3600 for p in ("low", "normal", "high", "critical")}  # one second
    settings = complaints_settings(
        slate, sla_first_response_hours=seconds, sla_resolution_hours=seconds
    )
    settings.sla_check_interval_s = 0.3
    async with running(create_app(settings)) as api:
        case = await open_case(api, "c-4")

        async def breached() -> Any:
            stored = (await api.get(f"/internal/v1/complaints/{case['id']}")).json()
            return stored if len(stored["breaches"]) == 2 else None

        stored = await eventually(breached, timeout_s=20)
        granted = await read_topic(
            slate.infra.kafka, slate.topic("goodwill.granted"), expect=1, timeout_s=10
        )
    assert [e["reason"].split(":")[0] for e in stored["escalations"]] == ["SLA breached"] * 2
    assert [g["complaint_id"] for g in unique(granted)] == [case["id"]]


async def test_the_checker_and_staff_writing_one_case_at_once_lose_nothing(slate: Slate) -> None:
    async with running(create_app(complaints_settings(slate))) as api:
        cases = [await open_case(api, f"c-{n}") for n in range(4)]
        late = max(datetime.fromisoformat(c["resolution_due"]) for c in cases)
        moves = [
            api.post(f"/internal/v1/complaints/{c['id']}/status", json={"status": "in_progress"})
            for c in cases
        ]
        results = await asyncio.gather(check(api, late + timedelta(minutes=1)), *moves)
        assert all(r.status_code == 200 for r in results[1:])
        stored = [(await api.get(f"/internal/v1/complaints/{c['id']}")).json() for c in cases]
    for case in stored:
        actions = [h["action"] for h in case["history"]]
        assert actions.count("status") == 1, actions
        assert actions.count("escalated") == len(case["escalations"]) == len(case["breaches"])
        assert "resolution" in case["breaches"] and case["status"] == "in_progress"
