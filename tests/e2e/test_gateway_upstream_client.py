"""The gateway's client of the services (aiohttp, services/gateway/upstream.py), with
every service a real process: the caller's correlation id reaches the service (and the
event it publishes), connections are reused, and a service that is down is a 503
problem, not a hang or a 500.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.conftest import Slate
from tests.support.kafka import read_topic
from tests.support.processes import ServiceProcess
from tests.support.stack import gateway_over
from tests.support.staff import login

PROBLEM = "application/problem+json"


def connections(pid: int, port: int) -> int:
    """Open TCP connections of process `pid` to 127.0.0.1:`port` (from /proc, IPv4)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().name
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for line in Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        remote_port = int(fields[2].split(":")[1], 16)
        if remote_port == port and fields[3] == "01" and fields[9] in inodes:  # ESTABLISHED
            count += 1
    return count


async def test_correlation_id_reuse_and_a_service_that_is_down(
    slate: Slate, spawn: Callable[..., ServiceProcess]
) -> None:
    registry = spawn("registry")
    gateway = gateway_over(spawn, registry, GATEWAY_UPSTREAM_TIMEOUT_S="2")
    registry.wait_healthy()
    gateway.wait_healthy(path="/healthz")
    async with httpx.AsyncClient(base_url=gateway.url, timeout=20) as api:
        staff = await login(api)
        traced = {**staff, "x-correlation-id": "h1-trace-0001"}
        r = await api.post(
            "/api/v1/clients", json={"name": "Ada", "phone": "+4930555"}, headers=traced
        )
        assert r.status_code == 201, r.text
        card = r.json()["card_number"]
        [event] = await read_topic(slate.infra.kafka, slate.topic("client.registered"), expect=1)
        assert dict(event.headers)["x-correlation-id"] == b"h1-trace-0001"

        lookups = [api.get("/api/v1/clients", params={"q": card}, headers=staff) for _ in range(40)]
        for found in await asyncio.gather(*lookups[:20]):  # a burst, then one at a time
            assert found.status_code == 200 and found.json()["items"], found.text
        for lookup in lookups[20:]:
            assert (await lookup).status_code == 200
        assert gateway.proc is not None
        kept = connections(gateway.proc.pid, registry.port)
        assert 1 <= kept <= 20, kept  # kept alive and reused, not one per request

        registry.stop()
        down = await api.get("/api/v1/clients", params={"q": card}, headers=staff)
        card_down = await api.get("/api/v1/clients/anyone", headers=staff)
        write_down = await api.post("/api/v1/clients", json={"name": "Bob"}, headers=staff)
    for answer in (down, card_down, write_down):
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"] == PROBLEM
        assert "registry" in answer.json()["detail"]
