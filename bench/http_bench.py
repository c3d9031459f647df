"""Card lookup and register through the gateway against a bare FastAPI route.

The project side is the real thing: registry, loyalty and gateway as processes
(`python -m services.<name>`, the same `serve()` uvicorn settings), on the real
broker and store. The baseline is `bench/bare_app.py` served with the same uvicorn
settings. Load comes from `bench/httpload.py` in its own process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

import httpx

from bench.common import (
    PY,
    ROOT,
    Result,
    Side,
    clean_up,
    cpu_seconds,
    interleave,
    latency_summary,
    note_cpu,
    quick,
    run_json,
)
from tests.support.processes import ServiceProcess, free_port

ADMIN = ("bench-admin", "bench-admin-password-1")


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

    def pids(self) -> dict[str, dict[str, int]]:
        """The server processes of each side, whose CPU time is counted per request."""
        project = {p.name: p.proc.pid for p in self.processes if p.proc is not None}
        return {"project": project, "baseline": {"bare": self.bare.pid}}

    def stop(self) -> None:
        self.bare.terminate()
        self.bare.wait(timeout=20)
        for p in self.processes:
            p.stop()
        databases = [f"{self.tag}_{p.name}" for p in self.processes]
        clean_up(self.infra, f"{self.tag}.", databases)


def start_bare() -> tuple[int, subprocess.Popen[bytes]]:
    bare_port = free_port()
    bare = subprocess.Popen(
        [PY, "-m", "bench.bare_app"],
        cwd=ROOT,
        env={**os.environ, "BENCH_BARE_PORT": str(bare_port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_http(f"http://127.0.0.1:{bare_port}/constant/x")
    return bare_port, bare


def start_stack(infra: dict[str, str], workdir: Path) -> Stack:
    tag = f"b{uuid4().hex[:8]}"
    bare_port, bare = start_bare()
    ports = {name: free_port() for name in ("registry", "loyalty", "gateway")}
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
        if name == "gateway":
            env |= {
                "GATEWAY_REGISTRY_URL": f"http://127.0.0.1:{ports['registry']}",
                "GATEWAY_LOYALTY_URL": f"http://127.0.0.1:{ports['loyalty']}",
                # Surveys and complaints are stood in by the bare app: it answers their
                # parts of the client card with a quick 404 (no data), as a service
                # without data for the client would.
                "GATEWAY_SURVEYS_URL": f"http://127.0.0.1:{bare_port}",
                "GATEWAY_COMPLAINTS_URL": f"http://127.0.0.1:{bare_port}",
            }
        processes.append(ServiceProcess(name, env, workdir / f"{name}.log", port).start())
    for p in processes[:2]:
        p.wait_healthy(timeout_s=90)
    processes[2].wait_healthy(timeout_s=90, path="/healthz")
    stack = Stack(processes[2], bare_port, bare, processes, infra, tag)
    stack.token = login(stack.gateway.url)
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


class HttpBench:
    """Closed-loop max throughput per round (interleaved), then open-loop latency at
    half of each side's median maximum."""

    def __init__(
        self,
        port_project: int,
        port_bare: int,
        extra: list[str],
        pids: dict[str, dict[str, int]] | None = None,
    ) -> None:
        self.ports = {"project": port_project, "baseline": port_bare}
        self.pids = pids or {}
        self.extra = extra
        self.duration = 2.0 if quick() else 5.0
        self.seq = 0
        self.samples: dict[str, list[float]] = {}

    def load(self, side: str, args: list[str], mode: str, **kw: float) -> dict[str, object]:
        cmd = [PY, "-m", "bench.httpload", "--port", str(self.ports[side]), "--mode", mode]
        cmd += ["--duration", str(kw.get("duration", self.duration))]
        cmd += ["--seq-start", str(self.seq)]
        if "rate" in kw:
            cmd += ["--rate", str(kw["rate"])]
        self.seq += 1_000_000
        out = run_json(cmd + args + self.extra, timeout_s=120)
        if out["errors"]:
            print(f"    {side}: {out['errors']} errors, statuses {out['statuses']}", flush=True)
        return dict(out)

    def run(self, result: Result, args: dict[str, list[str]], rounds: int) -> None:
        sides = {"project": result.project, "baseline": result.baseline}

        def side(label: str) -> float:
            pids = self.pids.get(label, {})
            before = {name: cpu_seconds(pid) for name, pid in pids.items()}
            out = self.load(label, args[label], "closed")
            spent = {}
            for name, pid in pids.items():
                now, then = cpu_seconds(pid), before[name]
                if now is not None and then is not None:
                    spent[name] = now - then
            note_cpu(sides[label], spent, int(str(out["count"])))
            return float(str(out["throughput"]))

        interleave(rounds, lambda: side("project"), lambda: side("baseline"), result)
        for label, s in (("project", result.project), ("baseline", result.baseline)):
            rate = max(1.0, s.median() / 2)
            out = self.load(label, args[label], "open", rate=rate, duration=self.duration * 2)
            lat = out["latencies_ms"]
            assert isinstance(lat, list)
            s.latency_ms, s.latency_load = latency_summary(lat), rate
            s.extra["latency_errors"] = out["errors"]
            print(f"  {label} at {rate:,.0f}/s: {s.latency_ms}", flush=True)


def card_lookup(stack: Stack, workdir: Path, rounds: int) -> list[Result]:
    """By card number (`GET /api/v1/clients?q=<card>`: the registry's card lookup
    document, then the client) and the whole client card (`GET /api/v1/clients/{id}`:
    registry + loyalty account + ledger + the two stand-ins, concurrently)."""
    clients = register_clients(stack, 50 if quick() else 200)
    ids_file, cards_file = workdir / "ids.txt", workdir / "cards.txt"
    ids_file.write_text("\n".join(i for i, _ in clients))
    cards_file.write_text("\n".join(c for _, c in clients))
    auth = "auth on (bearer token)" if stack.token else "gateway has no auth: measured without"
    results = []
    for name, path, ids in (
        ("card lookup", "/api/v1/clients?q={id}", cards_file),
        ("client card", "/api/v1/clients/{id}", ids_file),
    ):
        result = Result(
            name,
            "req/s",
            0.50,
            Side(f"gateway GET {path.replace('{id}', '<card>' if ids is cards_file else '{id}')}"),
            Side("bare FastAPI constant"),
            latency_target_p99_ms=15,
        )
        result.notes.append(auth)
        bench = HttpBench(
            stack.gateway.port, stack.bare_port, ["--ids-file", str(ids)], stack.pids()
        )
        bench.run(
            result,
            {
                "project": ["--path", path, *auth_headers(stack)],
                "baseline": ["--path", "/constant/{id}"],
            },
            rounds,
        )
        results.append(result)
    results[1].notes.append(
        "the issue's target is for the card lookup; the fan-out is shown beside it "
        "(surveys and complaints stood in by the bare app answering 404)"
    )
    return results


def register(stack: Stack, rounds: int) -> Result:
    body = '{"name": "Bench Client {i}", "phone": "+4930{i}"}'
    result = Result(
        "register",
        "req/s",
        0.40,
        Side("gateway POST /api/v1/clients"),
        Side("bare FastAPI POST"),
        latency_target_p99_ms=25,
    )
    bench = HttpBench(stack.gateway.port, stack.bare_port, [], stack.pids())
    bench.seq = 10_000_000  # phones +4930 + 8 digits: valid Berlin numbers, all distinct
    args = ["--method", "POST", "--body", body]
    bench.run(
        result,
        {
            "project": ["--path", "/api/v1/clients", *args, *auth_headers(stack)],
            "baseline": ["--path", "/constant", *args],
        },
        rounds,
    )
    return result


def run_http_benchmarks(infra: dict[str, str], rounds: int) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
        workdir = Path(tmp)
        stack = start_stack(infra, workdir)
        try:
            return [*card_lookup(stack, workdir, rounds), register(stack, rounds)]
        except Exception:
            for p in stack.processes:
                print(f"--- {p.name} log ---\n{p.log_tail()}", file=sys.stderr)
            raise
        finally:
            stack.stop()


if __name__ == "__main__":
    from bench.common import infra_env

    for r in run_http_benchmarks(infra_env(), 2):
        print(json.dumps(r.summary()))
