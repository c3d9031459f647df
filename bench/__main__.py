"""`python -m bench [name ...]`: run the benchmarks, print issue 15's targets table and
the ratio tables, write bench/results/.

Names: consumer (consumer overhead), http (all five services: store commands per
operation, card lookup, client card, register, purchases/s until every consumer group
caught up, purchase -> bonus.accrued at 100/s), loyalty (pipeline vs a raw loop),
tracing (card lookup with tracing on at 10 % vs off); flatness (1,000,000 purchases,
hours) only when named. `BENCH_ROUNDS` (default 3) sets the interleaved rounds;
`BENCH_QUICK=1` makes every run short (a smoke test of the harness).

The store is a private FerretDB started for the run (bench/private_store.py), so its
CPU per operation is ours alone; `BENCH_SHARED_STORE=1` uses `MONGODB_URL` instead
(FerretDB's CPU is then not counted).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict

from bench.common import Result, infra_env, quick, save, store_description
from bench.consumer_overhead import consumer_overhead
from bench.flatness import flatness
from bench.http_bench import run_http_benchmarks
from bench.loyalty_pipeline import loyalty_pipeline
from bench.private_store import private_store
from bench.targets import Target, issue_rows, table
from bench.tracing_overhead import tracing_overhead

DEFAULT = ["consumer", "http", "loyalty", "tracing"]


def suites(infra: dict[str, str], rounds: int) -> dict[str, Callable[[], list[Result | Target]]]:
    return {
        "consumer": lambda: [consumer_overhead(infra, rounds)],
        "http": lambda: run_http_benchmarks(infra, rounds),
        "loyalty": lambda: [loyalty_pipeline(infra, rounds)],
        "tracing": lambda: tracing_overhead(infra, rounds),
        "flatness": lambda: [flatness(infra, rounds)],
    }


def run(wanted: list[str], infra: dict[str, str]) -> int:
    store = store_description(infra["MONGODB_URL"])
    rounds = int(os.environ.get("BENCH_ROUNDS", "2" if quick() else "3"))
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"store: {store}; kafka: {infra['KAFKA_BOOTSTRAP_SERVERS']}; rounds: {rounds}")
    print(f"load average at start: {load} on {os.cpu_count()} cores", flush=True)
    found: list[Result | Target] = []
    started = time.monotonic()
    for name in wanted:
        print(f"== {name}", flush=True)
        found.extend(suites(infra, rounds)[name]())
    rows = issue_rows(found)
    head = [f"Load average at start: {load}; took {time.monotonic() - started:,.0f} s.", ""]
    results = [r for r in found if isinstance(r, Result)]
    path = save(results, store, [*head, *table(rows)], [asdict(t) for t in rows])
    print()
    print(path.read_text())
    print(f"results: {path.parent}/results.json, results.md, latency.png")
    return 0


def main(argv: list[str]) -> int:
    wanted = argv or DEFAULT
    unknown = [name for name in wanted if name not in suites({}, 0)]
    if unknown:
        print(f"unknown benchmark(s) {unknown}; choose from {list(suites({}, 0))}", file=sys.stderr)
        return 2
    infra = infra_env()
    shared = os.environ.get("BENCH_SHARED_STORE", "") not in ("", "0", "false")
    with contextlib.ExitStack() as stack:
        if not shared:
            url, pid = stack.enter_context(private_store())
            infra["MONGODB_URL"] = url
            os.environ["BENCH_STORE_PID"] = str(pid)
        return run(wanted, infra)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
