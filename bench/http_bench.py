"""Card lookup, client card and register through the gateway against bare FastAPI
routes; then, on the same stack, what issue 15 counts (bench/capacity.py).

The project side is the real thing: all five services as processes (`python -m
services.<name>`, the same `serve()` uvicorn settings), on the real broker and store.
The baselines are `bench/bare_app.py`'s routes served with the same uvicorn settings:
a token check + one `find_one` by `_id` for the lookup, a token check + one
`insert_one` + one `acks=all` send for a registration. Load comes from
`bench/httpload.py` in its own process.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any, Protocol

from pymongo import MongoClient

from bench import capacity
from bench.common import (
    PY,
    Result,
    Side,
    cpu_seconds,
    interleave,
    latency_summary,
    note_cpu,
    quick,
    run_json,
)
from bench.stack import (
    ALL,
    Stack,
    auth_headers,
    bare_auth,
    register_clients,
    start_stack,
)
from bench.targets import Target

__all__ = ["HttpBench", "Stack", "auth_headers", "register_clients", "start_stack"]


class Settle(Protocol):
    """What a round's operations set off elsewhere (consumers of their events) is
    waited for before the CPU is read, so it is counted in the round."""

    def before(self, side: str) -> None: ...

    def after(self, side: str, out: dict[str, object]) -> None: ...


class HttpBench:
    """Closed-loop max throughput per round (interleaved), then open-loop latency at
    half of each side's median maximum."""

    def __init__(
        self,
        port_project: int,
        port_bare: int,
        extra: list[str],
        pids: dict[str, dict[str, int]] | None = None,
        settle: Settle | None = None,
    ) -> None:
        self.ports = {"project": port_project, "baseline": port_bare}
        self.pids = pids or {}
        self.settle = settle
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

    def measured(
        self, side: Side, label: str, args: list[str], mode: str, **kw: float
    ) -> dict[str, object]:
        """One load of `label`'s side, its processes' CPU per operation noted on `side`
        (what the load set off elsewhere waited for first: `settle`)."""
        pids = self.pids.get(label, {})
        if self.settle:
            self.settle.before(label)
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        out = self.load(label, args, mode, **kw)
        if self.settle:
            self.settle.after(label, out)
        spent = {}
        for name, pid in pids.items():
            now, then = cpu_seconds(pid), before[name]
            if now is not None and then is not None:
                spent[name] = now - then
        note_cpu(side, spent, int(str(out["count"])))
        return out

    def run(self, result: Result, args: dict[str, list[str]], rounds: int) -> None:
        sides = {"project": result.project, "baseline": result.baseline}

        def side(label: str) -> float:
            out = self.measured(sides[label], label, args[label], "closed")
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


def seed_bare(stack: Stack, clients: list[tuple[str, str]]) -> None:
    """The baseline's documents: one per card, as big as the registry's lookup document."""
    docs: list[dict[str, Any]] = [
        {"_id": f"card:{card}", "client_id": cid, "name": f"Card Holder {n}", "card": card}
        for n, (cid, card) in enumerate(clients)
    ]
    mongo: MongoClient[dict[str, Any]]
    with MongoClient(stack.infra["MONGODB_URL"]) as mongo:
        mongo[f"{stack.tag}_bare"]["docs"].insert_many(docs)


def card_lookup(
    stack: Stack, workdir: Path, rounds: int, clients: list[tuple[str, str]]
) -> list[Result]:
    """By card number (`GET /api/v1/clients?q=<card>`) against the bare app's one
    `find_one` by `_id` behind the same kind of token check (issue 15), and the whole
    client card (`GET /api/v1/clients/{id}`: a part from every service, concurrently)
    beside the bare constant route."""
    ids_file, cards_file = workdir / "ids.txt", workdir / "cards.txt"
    ids_file.write_text("\n".join(i for i, _ in clients))
    cards_file.write_text("\n".join(c for _, c in clients))
    seed_bare(stack, clients)
    auth = "auth on (bearer token) in both" if stack.token else "gateway has no auth"
    results = []
    for name, path, ids, base, target in (
        ("card lookup", "/api/v1/clients?q={id}", cards_file, "/lookup/{id}", 0.50),
        ("client card", "/api/v1/clients/{id}", ids_file, "/constant/{id}", 0.0),
    ):
        result = Result(
            name,
            "req/s",
            target,
            Side(f"gateway GET {path.replace('{id}', '<card>' if ids is cards_file else '{id}')}"),
            Side(f"bare FastAPI GET {base}" + (": token + 1 find_one" if target else "")),
            latency_target_p99_ms=15 if target else None,
        )
        result.notes.append(auth)
        bench = HttpBench(
            stack.gateway.port, stack.bare_port, ["--ids-file", str(ids)], stack.pids()
        )
        bench.run(
            result,
            {
                "project": ["--path", path, *auth_headers(stack)],
                "baseline": ["--path", base, *bare_auth(stack)],
            },
            rounds,
        )
        results.append(result)
    return results


def register(stack: Stack, rounds: int, settle: Settle | None = None) -> Result:
    body = '{"name": "Bench Client {i}", "phone": "+4930{i}"}'
    result = Result(
        "register",
        "req/s",
        0.35,
        Side("gateway POST /api/v1/clients"),
        Side("bare FastAPI POST /register: token + 1 insert_one + 1 acks=all send"),
        latency_target_p99_ms=25,
    )
    result.notes.append(
        "CPU counted until every consumer of client.registered has handled the round's"
    )
    bench = HttpBench(stack.gateway.port, stack.bare_port, [], stack.pids(), settle)
    bench.seq = 10_000_000  # phones +4930 + 8 digits: valid Berlin numbers, all distinct
    args = ["--method", "POST", "--body", body]
    bench.run(
        result,
        {
            "project": ["--path", "/api/v1/clients", *args, *auth_headers(stack)],
            "baseline": ["--path", "/register", *args, *bare_auth(stack)],
        },
        rounds,
    )
    return result


def run_http_benchmarks(infra: dict[str, str], rounds: int) -> list[Result | Target]:
    """Every issue-15 row that needs the services, on one stack of all five."""
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
        workdir = Path(tmp)
        stack = start_stack(infra, workdir, ALL)
        try:
            clients = register_clients(stack, 50 if quick() else 200)
            counted = capacity.command_counts(stack, clients)
            found: list[Result | Target] = [*card_lookup(stack, workdir, rounds, clients)]
            found.append(register(stack, rounds, capacity.RegistrationsConsumed(stack)))
            return [*counted, *found, *capacity.purchases(stack, clients)]
        except Exception:
            for p in stack.processes:
                print(f"--- {p.name} log ---\n{p.log_tail()}", file=sys.stderr)
            raise
        finally:
            stack.stop()


if __name__ == "__main__":
    from bench.common import infra_env

    for r in run_http_benchmarks(infra_env(), 2):
        print(r)
