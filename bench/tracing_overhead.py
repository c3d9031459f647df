"""Tracing overhead: the card lookup through the gateway with tracing on at 10 %
sampling (project) against the same stack with tracing off (baseline).

Each round starts a stack (gateway, registry, loyalty) for each side in turn, which
registers its clients, warms up, takes one closed-loop round (its maximum) and then two
open-loop loads at one rate for both sides (half the first stack's maximum), its CPU per
lookup read from /proc; then it is stopped. Two stacks kept side by side for the whole
run differed by 7 % with the same settings (an A/A run, docs/benchmarks.md): one long-lived
process can be unlucky for the whole run (its memory layout, its core, its neighbours),
so each side gets a fresh stack per round, and the order alternates. The traced stack
exports OTLP/HTTP to a sink on loopback that accepts and drops the spans (a collector's
receiving costs no CPU of ours either). The figure that matters is the CPU per lookup of
the three processes (the second table): the issue's target is at most 10 % more with
tracing on, a CPU ratio (baseline / project) >= 0.91. `BENCH_TRACING_AA=1` runs the
untraced stack on both sides, to see the method's own spread.
"""

from __future__ import annotations

import os
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.common import Result, Side, quick
from bench.http_bench import HttpBench, Stack, auth_headers, register_clients, start_stack
from tests.support.processes import free_port

SAMPLED = "0.1"
LOOKUP = "/api/v1/clients?q={id}"


class _Sink(BaseHTTPRequestHandler):
    """Takes an OTLP/HTTP export and answers 200 with an empty (valid) response, on a
    kept-alive connection as a collector does (HTTP/1.0 would make the exporter connect
    anew for every export, a cost no production set-up pays)."""

    protocol_version = "HTTP/1.1"

    received = {"requests": 0, "bytes": 0}

    def do_POST(self) -> None:
        size = int(self.headers.get("content-length") or 0)
        self.rfile.read(size)
        _Sink.received["requests"] += 1
        _Sink.received["bytes"] += size
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


def cards_of(stack: Stack, path: Path) -> Path:
    clients = register_clients(stack, 50 if quick() else 200)
    path.write_text("\n".join(card for _, card in clients))
    return path


def stack_life(
    env: dict[str, str], workdir: Path, label: str, side: Side, rate: float | None
) -> float:
    """One stack for one side's round: its maximum, then its CPU per lookup at `rate`
    (half this maximum when None); returns the rate used."""
    stack = start_stack(env, workdir)
    try:
        cards = cards_of(stack, workdir / "cards.txt")
        args = ["--path", LOOKUP, "--ids-file", str(cards), *auth_headers(stack)]
        bench = HttpBench(
            stack.gateway.port, stack.gateway.port, [], {label: stack.pids()["project"]}
        )
        bench.load(label, args, "closed", duration=1.0)  # warm: connections, caches
        side.throughputs.append(float(str(bench.load(label, args, "closed")["throughput"])))
        rate = rate or max(1.0, side.throughputs[-1] / 2)
        for _ in range(2):
            bench.measured(side, label, args, "open", rate=rate)
        return rate
    finally:
        stack.stop()


def tracing_overhead(infra: dict[str, str], rounds: int) -> Result:
    sink = ThreadingHTTPServer(("127.0.0.1", free_port()), _Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    traced = infra | {
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{sink.server_port}",
        "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
        "OTEL_TRACES_SAMPLER_ARG": SAMPLED,
    }
    if os.environ.get("BENCH_TRACING_AA"):
        traced = infra
    result = Result(
        "tracing overhead (card lookup)",
        "req/s",
        0.90,
        Side(f"tracing on, {float(SAMPLED):.0%} sampled, OTLP/HTTP to a loopback sink"),
        Side("tracing off (the default)"),
    )
    sides = {"project": (traced, result.project), "baseline": (infra, result.baseline)}
    rate: float | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="bench-tracing-") as tmp:
            for r in range(rounds):
                for label in ("project", "baseline") if r % 2 == 0 else ("baseline", "project"):
                    env, side = sides[label]
                    (workdir := Path(tmp) / f"{label}-{r}").mkdir()
                    rate = stack_life(env, workdir, label, side, rate)
                cpu = {k: v[1].extra["cpu_ms_per_op"][-2:] for k, v in sides.items()}
                print(
                    f"  round {r + 1}/{rounds}: CPU ms per lookup at {rate:,.0f}/s {cpu}",
                    flush=True,
                )
    finally:
        sink.shutdown()
    at = f"{rate or 0:,.0f}/s"
    result.notes.append(f"a fresh stack per side and round; CPU per lookup at one rate, {at}")
    if os.environ.get("BENCH_TRACING_AA"):
        result.notes.append("BENCH_TRACING_AA: both sides untraced (the method's own spread)")
    result.notes.append(
        f"the sink received {_Sink.received['requests']} OTLP exports "
        f"({_Sink.received['bytes']:,} bytes) from the traced stack"
    )
    return result
