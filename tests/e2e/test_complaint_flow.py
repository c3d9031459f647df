"""Complaints end to end, every service a real process on the real broker and store.

Clients are registered through the gateway (real registry). A survey answered with 2
(published with aiokafka as the surveys service would) opens a case linked to the
employee, shown on the gateway's client card; a VIP's case escalates to the personal
manager at once, a regular client's does not; the SLA checker, run twice from the CLI
with a later clock, escalates and grants goodwill once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx

from shared.contracts.base import Event
from shared.contracts.surveys import SurveyAnswered
from tests.conftest import Slate
from tests.support.infra import ROOT
from tests.support.kafka import eventually, payloads, produce, read_topic
from tests.support.processes import ServiceProcess
from tests.support.stack import gateway_over
from tests.support.staff import login


async def publish(slate: Slate, event: Event) -> None:
    await produce(
        slate.infra.kafka,
        slate.topic(event.TOPIC),
        event.model_dump_json().encode(),
        key=event.partition_key().encode(),
    )


def check_sla(url: str, now: datetime) -> dict[str, Any]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "services.cli",
            "complaints",
            "check-sla",
            "--url",
            url,
            "--now",
            now.strftime("%Y-%m-%dT%H:%M:%S"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return dict(json.loads(done.stdout))


async def register(api: httpx.AsyncClient, body: dict[str, Any]) -> str:
    r = await api.post("/api/v1/clients", json=body)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_low_survey_score_opens_a_case_on_the_card_and_a_vip_escalates_to_the_manager(
    slate: Slate, spawn: Callable[..., ServiceProcess]
) -> None:
    registry, complaints = spawn("registry"), spawn("complaints")
    gateway = gateway_over(spawn, registry, complaints)
    for p in (registry, complaints):
        p.wait_healthy()
    gateway.wait_healthy(path="/healthz")
    async with (
        httpx.AsyncClient(base_url=gateway.url, timeout=10) as api,
        httpx.AsyncClient(base_url=complaints.url, timeout=10) as internal,
    ):
        api.headers.update(await login(api))
        vip = await register(api, {"name": "Ada", "category": "vip", "manager_id": "M-7"})
        regular = await register(api, {"name": "Bob", "manager_id": "M-7"})

        async def known(client_id: str) -> bool:
            return (await internal.get(f"/internal/v1/clients/{client_id}")).status_code == 200

        await eventually(lambda: known(vip))
        await eventually(lambda: known(regular))
        for n, client_id in enumerate((vip, regular)):
            await publish(
                slate,
                SurveyAnswered(
                    survey_id=f"sv-{n}",
                    client_id=client_id,
                    employee_id="E7",
                    store_id="S1",
                    score=2,
                ),
            )

        async def on_card(client_id: str) -> Any:
            card = (await api.get(f"/api/v1/clients/{client_id}")).json()
            return card.get("complaints") or None

        (vip_case,) = await eventually(lambda: on_card(vip))
        (regular_case,) = await eventually(lambda: on_card(regular))
        internal_view = (
            await internal.get(f"/internal/v1/clients/{vip}/complaints", params={"status": "open"})
        ).json()
        board = (await api.get("/api/v1/complaints", params={"sort": "deadline"})).json()
        escalated = await read_topic(
            slate.infra.kafka, slate.topic("complaint.escalated"), expect=1, timeout_s=10
        )
        due = datetime.fromisoformat(regular_case["resolution_due"]).replace(tzinfo=None)
        first = check_sla(complaints.url, due + timedelta(minutes=1))
        second = check_sla(complaints.url, due + timedelta(hours=1))
        granted = await read_topic(
            slate.infra.kafka, slate.topic("goodwill.granted"), expect=2, timeout_s=10
        )
    assert vip_case["employee_id"] == "E7" and vip_case["channel"] == "sms_survey"
    assert vip_case["priority"] == "critical" and regular_case["priority"] == "normal"
    assert [c["id"] for c in internal_view] == [vip_case["id"]]
    # the most urgent deadline first: the VIP's critical case
    assert [i["id"] for i in board["items"]] == [vip_case["id"], regular_case["id"]]
    at_once = {e["event_id"]: e for e in payloads(escalated) if e.get("breach") is None}
    assert [(e["complaint_id"], e["manager_id"]) for e in at_once.values()] == [
        (vip_case["id"], "M-7")
    ]
    assert {(e["complaint_id"], e["breach"]) for e in first["escalations"]} >= {
        (regular_case["id"], "resolution")
    }
    assert second["escalations"] == [] and second["goodwill"] == []
    grants = {e["grant_id"]: e for e in payloads(granted)}
    assert {g["complaint_id"] for g in grants.values()} == {vip_case["id"], regular_case["id"]}
