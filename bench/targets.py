"""Issue 15's two target tables (and issue 17's tracing overhead), filled from one
`make bench` run, each row with ✅/❌.

A `Target` is one figure against its bound. Counted rows (store commands per
operation over all processes) come from bench/capacity.py; measured rows from the
ratio benchmarks (`Result`: CPU per operation by process, ratio per round) and from
capacity.py (purchases/s, latency). A row whose suite did not run says how to run it.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from bench.common import Result


@dataclass
class Target:
    measure: str
    value: float | None
    unit: str
    bound: float
    at_most: bool  # True: value <= bound; False: value >= bound
    detail: str = ""

    def met(self) -> bool | None:
        if self.value is None:
            return None
        return self.value <= self.bound if self.at_most else self.value >= self.bound

    def row(self) -> str:
        mark = {True: "✅", False: "❌", None: "—"}[self.met()]
        figure = "not run" if self.value is None else f"{self.value:,.{decimals(self.value)}f}"
        bound = f"{'≤' if self.at_most else '≥'} {self.bound:,g}"
        return f"| {self.measure} | {figure} {self.unit} | {bound} | {mark} | {self.detail} |"


def decimals(value: float) -> int:
    return 0 if abs(value) >= 100 else 2


COUNTED = (
    ("store commands: card lookup through the gateway", 1.0),
    ("store commands: full client card", 3.0),
    ("store commands: registration + every consumer of client.registered", 12.0),
    ("store commands: one purchase, 2,000 at once, every consumer", 2.0),
)
CPU = (
    ("card lookup", "card lookup CPU, all processes", 2.0),
    ("client card", "client card CPU, all processes", 5.0),
    ("register", "registration CPU, all processes", 12.0),
)
RATIOS = (
    ("card lookup", "card lookup ÷ token + one find_one route", 0.5),
    ("register", "registration ÷ token + insert_one + acks=all send route", 0.35),
    ("loyalty pipeline", "loyalty pipeline ÷ raw aiokafka + PyMongo loop", 0.8),
)
PURCHASES_S = "purchases/s until every consumer group of purchase.recorded caught up"
FLATNESS = "pipeline rate, last 10,000 ÷ first 10,000 of 1,000,000 (BENCH=flatness)"
P99 = "purchase → bonus.accrued p99 at 100 purchases/s"
OVERHEAD = "issue 17: tracing at 10 % sampling, extra CPU per card lookup, all processes"


def spread(values: Sequence[float]) -> str:
    return f"median of {len(values)} [{min(values):.2f}..{max(values):.2f}]"


def cpu_row(result: Result | None, measure: str, bound: float) -> Target:
    if result is None or not result.project.extra.get("cpu_ms_per_op"):
        return Target(measure, None, "ms", bound, True, "run: BENCH=http")
    per_round = result.project.extra["cpu_ms_per_op"]
    by_process = result.project.extra.get("cpu_ms_per_op_by_process", {})
    parts = ", ".join(f"{n} {statistics.median(v):.2f}" for n, v in by_process.items())
    detail = f"{spread(per_round)}; {parts}"
    return Target(measure, statistics.median(per_round), "ms", bound, True, detail)


def ratio_row(result: Result | None, measure: str, bound: float) -> Target:
    if result is None:
        how = "BENCH=loyalty" if "pipeline" in measure else "BENCH=http"
        return Target(measure, None, "", bound, False, f"run: {how}")
    s = result.summary()
    detail = (
        f"median of {s['rounds']} rounds [{s['ratio_min']:.2f}..{s['ratio_max']:.2f}]; "
        f"{result.project.median():,.0f} vs {result.baseline.median():,.0f} {result.unit}"
    )
    return Target(measure, s["ratio_median"], "", result.target_ratio, False, detail)


def issue_rows(found: Sequence[Result | Target]) -> list[Target]:
    """Every row of both tables, in the issue's order; what did not run says how."""
    results = {r.name: r for r in found if isinstance(r, Result)}
    targets = {t.measure: t for t in found if isinstance(t, Target)}
    rows = [
        targets.get(name) or Target(name, None, "", bound, True, "run: BENCH=http")
        for name, bound in COUNTED
    ]
    rows += [cpu_row(results.get(name), measure, bound) for name, measure, bound in CPU]
    rows += [ratio_row(results.get(name), measure, bound) for name, measure, bound in RATIOS]
    missing = "run: BENCH=http"
    rows.append(targets.get(PURCHASES_S) or Target(PURCHASES_S, None, "", 1000, False, missing))
    flat = results.get("loyalty flatness")
    opt_in = Target(FLATNESS, None, "", 0.75, False, "opt-in: BENCH=flatness (hours)")
    rows.append(ratio_row(flat, FLATNESS, 0.75) if flat else opt_in)
    rows.append(targets.get(P99) or Target(P99, None, "ms", 50, True, missing))
    tracing = "run: BENCH=tracing"
    rows.append(targets.get(OVERHEAD) or Target(OVERHEAD, None, "%", 10, True, tracing))
    return rows


def table(rows: Sequence[Target]) -> list[str]:
    return [
        "| issue 15 target (and issue 17's last) | figure | target | | how (spread, by process) |",
        "|---|---|---|---|---|",
        *(row.row() for row in rows),
    ]
