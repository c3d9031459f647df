"""`make run REPLICAS=...`: two loyalty processes and two gateways, each on its own
port and ready; a purchase sent three times is booked once; a bad REPLICAS is refused."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import Slate
from tests.e2e.test_make_run import NAMES, wait_for
from tests.integration.loyalty.pos import publish_all, purchase
from tests.support.infra import ROOT
from tests.support.kafka import eventually
from tests.support.processes import free_port

ADMIN = {"username": "admin", "password": "replicas-test-admin-pw"}


def ready_ports(text: str) -> dict[str, int]:
    """What the launcher printed: each process's name and port."""
    found = re.findall(r"^\s+(\S+)\s+ready on http://127\.0\.0\.1:(\d+)$", text, re.M)
    return {name: int(port) for name, port in found}


async def accruals(http: httpx.AsyncClient, gateway: int, client_id: str) -> list[Any]:
    r = await http.get(f"http://127.0.0.1:{gateway}/api/v1/clients/{client_id}/ledger")
    assert r.status_code == 200, r.text
    return [e for e in r.json()["entries"] if e["kind"] == "accrual"]


async def _ok(http: httpx.AsyncClient, url: str) -> bool:
    return (await http.get(url)).status_code == 200


async def one_purchase_three_times(slate: Slate, ports: dict[str, int]) -> list[list[Any]]:
    """Log in at one gateway, register and read at the other (one token secret), send a
    purchase three times; the accruals each gateway (each loyalty replica) shows."""
    first, second = ports["gateway"], ports["gateway-2"]
    async with httpx.AsyncClient(timeout=10) as http:
        login = await http.post(f"http://127.0.0.1:{first}/api/v1/auth/token", data=ADMIN)
        http.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        body = {"name": "Replica Tester", "phone": "+49 30 5550001"}
        r = await http.post(f"http://127.0.0.1:{second}/api/v1/clients", json=body)
        assert r.status_code == 201, r.text
        client = r.json()
        account = f"http://127.0.0.1:{ports['loyalty-2']}/internal/v1/accounts/{client['id']}"
        await eventually(lambda: _ok(http, account), timeout_s=60)  # loyalty knows the card
        copies = [purchase("REP-1", card=client["card_number"]) for _ in range(3)]
        await publish_all(slate.infra.kafka, slate.topic("purchase.recorded"), copies)
        # Under load the second loyalty joining its group rebalances for a while first.
        await eventually(lambda: accruals(http, second, client["id"]), timeout_s=150)
        await asyncio.sleep(3)  # time for a second booking, were there one
        return [await accruals(http, port, client["id"]) for port in (first, second)]


async def test_make_run_with_two_loyalty_and_two_gateway_replicas(
    slate: Slate, tmp_path: Path
) -> None:
    env = {**os.environ, "CLIENTELE_RUN_DIR": str(tmp_path), "CLIENTELE_DEMO": "0"}
    for name in NAMES:
        env |= slate.env(name, free_port())
    env |= {"REPLICAS": "loyalty=2 gateway=2", "CLIENTELE_ADMIN_USERNAME": ADMIN["username"]}
    env |= {"CLIENTELE_ADMIN_PASSWORD": ADMIN["password"]}
    env.pop("GATEWAY_TOKEN_SECRET", None)
    log = tmp_path / "run.out"
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "infra/run_all.py", cwd=ROOT, env=env, stdout=out, stderr=out
        )
    try:
        text = await wait_for(proc, log, "Clientele is running")
        ports = ready_ports(text)
        assert sorted(ports) == sorted([*NAMES, "loyalty-2", "gateway-2"])
        assert len(set(ports.values())) == 7
        assert f"http://127.0.0.1:{ports['gateway-2']}" in text  # the second gateway listed
        async with httpx.AsyncClient(timeout=5) as http:
            for name, port in ports.items():
                r = await http.get(f"http://127.0.0.1:{port}/readyz")
                assert r.status_code == 200 and r.json()["ready"] is True, (name, r.text)
        seen = await one_purchase_three_times(slate, ports)
    finally:
        proc.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(proc.wait(), 60) == 0
    assert [len(a) for a in seen] == [1, 1]  # booked once, seen alike through both
    assert seen[0][0]["amount"] == "5.00"
    assert (tmp_path / "logs" / "loyalty-2.log").stat().st_size > 0


def test_make_run_refuses_an_unknown_service_in_replicas() -> None:
    env = {**os.environ, "REPLICAS": "loyalty=2 billing=3"}
    done = subprocess.run(
        [sys.executable, "infra/run_all.py"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "REPLICAS: unknown service 'billing'" in done.stderr
