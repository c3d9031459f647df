"""The benchmark harness: interleaved rounds, ratios, percentiles, results on disk.

Every benchmark runs the project's path and a raw baseline in the same run, in
alternating order (A B, B A, ...), several rounds, so drift on a noisy machine hits
both sides alike. A round yields one throughput per side; the ratio is
project / baseline per round, reported as median and spread (min..max).
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pymongo import MongoClient

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(os.environ.get("BENCH_RESULTS_DIR", ROOT / "bench" / "results"))
PERCENTILES = (50.0, 90.0, 95.0, 99.0, 99.9)


def quick() -> bool:
    """`BENCH_QUICK=1`: fewer rounds and shorter runs (a smoke test of the harness)."""
    return os.environ.get("BENCH_QUICK", "") not in ("", "0", "false")


def infra_env() -> dict[str, str]:
    """Where Kafka and the store are: the environment, else the local launcher's defaults."""
    return {
        "KAFKA_BOOTSTRAP_SERVERS": os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
        "MONGODB_URL": os.environ.get("MONGODB_URL", "mongodb://127.0.0.1:27017"),
    }


def clean_up(infra: dict[str, str], topic_prefix: str, databases: Sequence[str] = ()) -> None:
    """Delete a run's topics and databases: leftover partitions on a shared broker add
    up (a broker with ~15,000 of them stopped answering; README, 14:08 incident)."""
    from tests.support.kafka import delete_topics

    asyncio.run(delete_topics(infra["KAFKA_BOOTSTRAP_SERVERS"], topic_prefix))
    if databases:
        with MongoClient(infra["MONGODB_URL"], serverSelectionTimeoutMS=5000) as client:
            for name in databases:
                client.drop_database(name)


def store_description(mongodb_url: str) -> str:
    """Which store answered: FerretDB figures are a floor, not MongoDB's."""
    with MongoClient(mongodb_url, serverSelectionTimeoutMS=5000) as client:
        info = client.admin.command("buildInfo")
    if "ferretdbVersion" in info:
        return f"FerretDB {info['ferretdbVersion']} (MongoDB wire {info.get('version')})"
    return f"MongoDB {info.get('version')}"


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a process has used (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def note_cpu(side: Side, by_process: dict[str, float], operations: int) -> None:
    """Record CPU milliseconds per operation of one round (per process and in total).

    On a shared machine throughput swings with the neighbours' load; the CPU an
    operation costs our processes swings far less, so it is reported beside it."""
    if operations <= 0:
        return
    per = side.extra.setdefault("cpu_ms_per_op_by_process", {})
    for name, seconds in by_process.items():
        per.setdefault(name, []).append(round(seconds * 1000 / operations, 4))
    total = sum(by_process.values()) * 1000 / operations
    side.extra.setdefault("cpu_ms_per_op", []).append(round(total, 4))


def percentile(values: Sequence[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[rank]


def latency_summary(latencies_ms: Sequence[float]) -> dict[str, float]:
    return {f"p{p:g}": round(percentile(latencies_ms, p), 3) for p in PERCENTILES}


@dataclass
class Side:
    """One side (project or baseline) of a benchmark: throughput per round, latencies."""

    label: str
    throughputs: list[float] = field(default_factory=list)
    latency_ms: dict[str, float] = field(default_factory=dict)
    latency_load: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def median(self) -> float:
        return statistics.median(self.throughputs) if self.throughputs else 0.0


@dataclass
class Result:
    name: str
    unit: str
    target_ratio: float
    project: Side
    baseline: Side
    notes: list[str] = field(default_factory=list)
    latency_target_p99_ms: float | None = None

    def ratios(self) -> list[float]:
        return [
            p / b if b else 0.0
            for p, b in zip(self.project.throughputs, self.baseline.throughputs, strict=True)
        ]

    def summary(self) -> dict[str, Any]:
        ratios = self.ratios()
        median = statistics.median(ratios) if ratios else 0.0
        return {
            "ratio_median": round(median, 3),
            "ratio_min": round(min(ratios), 3) if ratios else 0.0,
            "ratio_max": round(max(ratios), 3) if ratios else 0.0,
            "rounds": len(ratios),
            "meets_target": median >= self.target_ratio,
        }


def interleave(
    rounds: int, project: Callable[[], float], baseline: Callable[[], float], result: Result
) -> None:
    """Run `rounds` rounds, alternating which side goes first; print as we go."""
    for r in range(rounds):
        order = [("project", project), ("baseline", baseline)]
        if r % 2:
            order.reverse()
        got: dict[str, float] = {}
        for label, run in order:
            got[label] = run()
        result.project.throughputs.append(got["project"])
        result.baseline.throughputs.append(got["baseline"])
        print(
            f"  round {r + 1}/{rounds}: project {got['project']:,.0f} {result.unit}, "
            f"baseline {got['baseline']:,.0f} {result.unit}, "
            f"ratio {got['project'] / got['baseline'] if got['baseline'] else 0:.2f}",
            flush=True,
        )


def environment(store: str) -> dict[str, Any]:
    return {
        "store": store,
        "kafka": infra_env()["KAFKA_BOOTSTRAP_SERVERS"],
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "quick": quick(),
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def save(
    results: Sequence[Result],
    store: str,
    head: Sequence[str] = (),
    targets: Sequence[dict[str, Any]] = (),
) -> Path:
    """Write results.json, results.md (`head` first: the targets table) and latency.png;
    return the Markdown path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    env = environment(store)
    doc = {
        "environment": env,
        "targets": list(targets),
        "benchmarks": [asdict(r) | {"summary": r.summary()} for r in results],
    }
    (RESULTS / "results.json").write_text(json.dumps(doc, indent=2) + "\n")
    md = markdown(results, env, head)
    (RESULTS / "results.md").write_text(md)
    from bench.plot import plot  # matplotlib only when results are written

    plot(results, RESULTS / "latency.png")
    return RESULTS / "results.md"


def markdown(results: Sequence[Result], env: dict[str, Any], head: Sequence[str] = ()) -> str:
    lines = [
        f"Store: **{env['store']}** (FerretDB figures are a floor, not MongoDB's); "
        f"{env['machine']}, Python {env['python']}, {env['when']}, "
        f"load average {env['load']}" + (" — QUICK run" if env["quick"] else ""),
        "",
        *head,
        *([""] if head else []),
        "| benchmark | project (median) | baseline (median) | ratio median [min..max] "
        "| target | p50 / p95 / p99 ms at half max | p99 target |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        s = r.summary()
        lat = r.project.latency_ms
        load = r.project.latency_load
        lat_text = "—"
        if lat:
            lat_text = f"{lat['p50']:.1f} / {lat['p95']:.1f} / {lat['p99']:.1f} @ {load:,.0f}/s"
        p99_target = f"<= {r.latency_target_p99_ms:g} ms" if r.latency_target_p99_ms else "—"
        if lat and r.latency_target_p99_ms:
            p99_target += " ✅" if lat["p99"] <= r.latency_target_p99_ms else " ❌"
        lines.append(
            f"| {r.name} | {r.project.median():,.0f} {r.unit} "
            f"| {r.baseline.median():,.0f} {r.unit} "
            f"| {s['ratio_median']:.2f} [{s['ratio_min']:.2f}..{s['ratio_max']:.2f}] "
            f"| {target_text(r)} "
            f"| {lat_text} | {p99_target} |"
        )
    lines += cpu_table(results)
    notes = [f"- {r.name}: {n}" for r in results for n in r.notes]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


def target_text(r: Result) -> str:
    if not r.target_ratio:
        return "—"
    return f">= {r.target_ratio:.2f} {'✅' if r.summary()['meets_target'] else '❌'}"


def cpu_table(results: Sequence[Result]) -> list[str]:
    """CPU ms per operation (median of the rounds), project by process vs baseline."""
    rows = [r for r in results if r.project.extra.get("cpu_ms_per_op")]
    if not rows:
        return []
    lines = [
        "",
        "| benchmark | project CPU ms/op (by process) | baseline CPU ms/op | baseline / project |",
        "|---|---|---|---|",
    ]
    for r in rows:
        project = statistics.median(r.project.extra["cpu_ms_per_op"])
        baseline = statistics.median(r.baseline.extra.get("cpu_ms_per_op") or [0.0])
        parts = ", ".join(
            f"{name} {statistics.median(v):.3f}"
            for name, v in r.project.extra.get("cpu_ms_per_op_by_process", {}).items()
        )
        ratio = baseline / project if project else 0.0
        lines.append(f"| {r.name} | {project:.3f} ({parts}) | {baseline:.3f} | {ratio:.2f} |")
    return lines


def run_json(cmd: list[str], timeout_s: float, env: dict[str, str] | None = None) -> Any:
    """Run a helper process (load generator, producer) and parse the JSON it prints last."""
    done = subprocess.run(
        cmd,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{cmd[:4]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


PY = sys.executable
