"""The services a benchmark drives, as real processes, beside the bare baseline app.

`start_stack(infra, workdir)` starts registry, loyalty and the gateway (surveys and
complaints stood in by the bare app answering 404); `services=ALL` starts all five,
so a registration's and a purchase's every consumer runs and is counted.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from uuid import uuid4

import httpx

from bench.common import PY, ROOT, clean_up
from services.gateway.auth.model import Role
from services.gateway.auth.security import TokenSigner
from shared.messaging.topics import declare_topics
from tests.support.processes import ServiceProcess, free_port

ADMIN = ("bench-admin", "bench-admin-password-1")
THREE = ("registry", "loyalty", "gateway")
ALL = ("registry", "loyalty", "surveys", "complaints", "gateway")
BARE_SECRET = f"bench-bare-{uuid4().hex}"  # the bare app's tokens only


def store_pid() -> int | None:
    """FerretDB's pid when the bench started its own store (bench/private_store.py):
    its CPU is then ours alone and counted; a shared store's is everyone's."""
    pid = os.environ.get("BENCH_STORE_PID", "")
    return int(pid) if pid.isdigit() else None


@dataclass
class Stack:
    """The services a gateway request touches, plus the bare baseline server."""

    gateway: ServiceProcess
    bare_port: int
    bare: subprocess.Popen[bytes]
    processes: list[ServiceProcess]
    infra: dict[str, str]
    tag: str
    token: str | None = None
    bare_token: str = field(default="")

    def pids(self) -> dict[str, dict[str, int]]:
        """The processes of each side whose CPU time is counted per request."""
        project = {p.name: p.proc.pid for p in self.processes if p.proc is not None}
        baseline = {"bare": self.bare.pid}
        if (store := store_pid()) is not None:
            project["ferretdb"] = baseline["ferretdb"] = store
        return {"project": project, "baseline": baseline}

    def service(self, name: str) -> ServiceProcess:
        return next(p for p in self.processes if p.name == name)

    def topic(self, logical: str) -> str:
        return f"{self.tag}.{logical}"

    def stop(self) -> None:
        self.bare.terminate()
        self.bare.wait(timeout=20)
        for p in self.processes:
            p.stop()
        databases = [f"{self.tag}_{p.name}" for p in self.processes] + [f"{self.tag}_bare"]
        clean_up(self.infra, f"{self.tag}.", databases)


def start_bare(infra: dict[str, str], tag: str) -> tuple[int, subprocess.Popen[bytes]]:
    topic = f"{tag}.bench.bare"
    asyncio.run(declare_topics(infra["KAFKA_BOOTSTRAP_SERVERS"], [topic], 3))
    bare_port = free_port()
    bare = subprocess.Popen(
        [PY, "-m", "bench.bare_app"],
        cwd=ROOT,
        env={
            **os.environ,
            **infra,
            "BENCH_BARE_PORT": str(bare_port),
            "BENCH_BARE_DB": f"{tag}_bare",
            "BENCH_BARE_TOPIC": topic,
            "GATEWAY_TOKEN_SECRET": BARE_SECRET,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_http(f"http://127.0.0.1:{bare_port}/constant/x")
    return bare_port, bare


def service_env(name: str, ports: dict[str, int], bare_port: int) -> dict[str, str]:
    if name != "gateway":
        return {}
    # Services not started are stood in by the bare app: it answers their parts of the
    # client card with a quick 404 (no data), as a service without data would.
    return {
        f"GATEWAY_{other.upper()}_URL": f"http://127.0.0.1:{ports.get(other, bare_port)}"
        for other in ("registry", "loyalty", "surveys", "complaints")
    }


def start_stack(infra: dict[str, str], workdir: Path, services: tuple[str, ...] = THREE) -> Stack:
    tag = f"b{uuid4().hex[:8]}"
    bare_port, bare = start_bare(infra, tag)
    ports = {name: free_port() for name in services}
    common = {
        **infra,
        "CLIENTELE_TOPIC_PREFIX": f"{tag}.",
        "CLIENTELE_TOPIC_PARTITIONS": "3",
        "LOG_JSON": "true",
        "LOG_LEVEL": "WARNING",
        "CLIENTELE_ADMIN_USERNAME": ADMIN[0],
        "CLIENTELE_ADMIN_PASSWORD": ADMIN[1],
    }
    processes = []
    for name, port in ports.items():
        up = name.upper()
        env = common | {f"{up}_HTTP_PORT": str(port), f"{up}_MONGODB_DB": f"{tag}_{name}"}
        env |= service_env(name, ports, bare_port)
        processes.append(ServiceProcess(name, env, workdir / f"{name}.log", port).start())
    for p in processes:
        p.wait_healthy(timeout_s=120, path="/healthz" if p.name == "gateway" else "/readyz")
    gateway = next(p for p in processes if p.name == "gateway")
    stack = Stack(gateway, bare_port, bare, processes, infra, tag)
    stack.token = login(stack.gateway.url)
    stack.bare_token = TokenSigner(BARE_SECRET).issue("bench", Role.admin, 3600)
    return stack


def wait_http(url: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} does not answer")


def login(gateway_url: str) -> str | None:
    """A bearer token when the gateway has staff auth; None while it has none."""
    response = httpx.post(
        f"{gateway_url}/api/v1/auth/token",
        data={"username": ADMIN[0], "password": ADMIN[1]},
        timeout=10,
    )
    if response.status_code in (404, 405):
        return None
    response.raise_for_status()
    return str(response.json()["access_token"])


def auth_headers(stack: Stack) -> list[str]:
    return ["--header", f"Authorization: Bearer {stack.token}"] if stack.token else []


def bare_auth(stack: Stack) -> list[str]:
    return ["--header", f"Authorization: Bearer {stack.bare_token}"]


def register_clients(stack: Stack, count: int) -> list[tuple[str, str]]:
    """(client id, card number) of `count` new clients."""
    headers = {"Authorization": f"Bearer {stack.token}"} if stack.token else {}
    ids = []
    with httpx.Client(base_url=stack.gateway.url, headers=headers, timeout=10) as client:
        for n in range(count):
            body = {"name": f"Card Holder {n}", "phone": f"+4940{n + 10_000_000:08d}"}
            response = client.post("/api/v1/clients", json=body)
            response.raise_for_status()
            ids.append((response.json()["id"], response.json()["card_number"]))
    return ids
