"""A client's data export through the gateway: every service's data, consents with their
history, the audit; a service that is down fails the export (503), never a partial one.

The client lives through privacy_story.py (a sale, registration, an SMS survey answered,
a complaint, staff reads) with every service a real process; a manager then changes the
personal manager and a consent, exports through the API and with `clientele privacy
export`, and exports again with loyalty stopped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import Slate
from tests.e2e.privacy_story import Person, live_through, surveys_env
from tests.support.infra import ROOT
from tests.support.kafka import eventually
from tests.support.processes import ServiceProcess
from tests.support.sms_provider import fake_sms_provider
from tests.support.stack import whole_stack
from tests.support.staff import login

MANAGER, PASSWORD = "mgr-mia", "a-long-password"


def cli_export(gateway_url: str, client_id: str, out: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CLIENTELE_GATEWAY_URL": gateway_url,
        "CLIENTELE_USERNAME": MANAGER,
        "CLIENTELE_PASSWORD": PASSWORD,
    }
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "privacy", "export", client_id, "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


async def complete_export(api: httpx.AsyncClient, client_id: str) -> dict[str, Any]:
    """The export once the events of the story reached every service."""

    async def ready() -> dict[str, Any] | None:
        r = await api.get(f"/api/v1/clients/{client_id}/export")
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        done = body["surveys"]["scores"] and body["loyalty"]["receipts"]
        return body if done and body["complaints"]["cases"] else None

    found: dict[str, Any] = await eventually(ready, timeout_s=60)
    return found


async def test_the_export_holds_every_services_data_and_fails_whole_when_one_is_down(
    slate: Slate, spawn: Callable[..., ServiceProcess], tmp_path: Path
) -> None:
    person = Person.unique()
    async with fake_sms_provider() as provider:
        stack = whole_stack(spawn, env={"surveys": surveys_env(provider)})
        async with httpx.AsyncClient(base_url=stack.gateway.url, timeout=60) as api:
            admin = await login(api)
            for name, role in ((MANAGER, "manager"), ("desk-ola", "operator")):
                body = {"username": name, "password": PASSWORD, "role": role}
                assert (await api.post("/api/v1/users", json=body, headers=admin)).is_success
            operator = await login(api, "desk-ola", PASSWORD)
            api.headers.update(await login(api, MANAGER, PASSWORD))
            story = await live_through(slate, api, provider, person)
            path = f"/api/v1/clients/{story.client_id}"
            changes = [
                {"manager_id": "M-2", "reason": "moved to the city store"},
                {"consents": {"sms": False, "email": True}, "consent_source": "web_form"},
            ]
            for change in changes:
                assert (await api.patch(path, json=change)).status_code == 200
            export = await complete_export(api, story.client_id)
            refused = await api.get(f"{path}/export", headers=operator)
            cli = cli_export(stack.gateway.url, story.client_id, tmp_path / "export.json")
            stack.loyalty.stop()
            down = await api.get(f"{path}/export")
            cli_down = cli_export(stack.gateway.url, story.client_id, tmp_path / "down.json")
    registry, loyalty = export["registry"], export["loyalty"]
    surveys, complaints = export["surveys"], export["complaints"]
    card = registry["card"]
    assert (card["id"], card["name"], card["phones"]) == (
        story.client_id,
        person.name,
        [person.e164],
    )
    assert card["email"] == person.email and card["birthday"] == "1990-04-01"
    assert [c["number"] for c in registry["cards"]] == [person.card]
    assert [(h["old"], h["new"], h["actor"]) for h in registry["manager_history"]] == [
        (None, "M-2", MANAGER)
    ]
    consented = [
        (c["channel"], c["granted"], c["source"], c["actor"]) for c in registry["consent_history"]
    ]
    assert consented == [
        ("sms", True, "front_desk", MANAGER),
        ("sms", False, "web_form", MANAGER),
        ("email", True, "web_form", MANAGER),
    ]
    assert all(c["at"] for c in registry["consent_history"])
    assert registry["consents"]["email"]["granted"] is True
    assert loyalty["account"]["id"] == story.client_id
    assert {r["purchase_id"] for r in loyalty["receipts"]} == {story.purchase_id}
    assert story.purchase_id in {e.get("purchase_id") for e in loyalty["ledger"]}
    assert loyalty["redemptions"] == []  # nothing redeemed in this sale
    assert [a["score"] for a in surveys["answers"]] == [story.score]
    assert len(surveys["messages"]) >= 1 and surveys["scores"]["id"] == story.client_id
    (case,) = complaints["cases"]
    assert case["id"] == story.case_id and case["history"]
    reads = {(e["who"], e["action"]) for e in export["audit"]}
    assert (MANAGER, "GET /api/v1/clients/{client_id}") in reads
    assert refused.status_code == 403
    assert cli.returncode == 0, cli.stdout + cli.stderr
    written = json.loads((tmp_path / "export.json").read_text())
    assert written["registry"]["card"]["name"] == person.name
    assert down.status_code == 503 and "loyalty" in down.json()["detail"]
    assert cli_down.returncode != 0 and not (tmp_path / "down.json").exists()
