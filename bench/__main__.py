"""`python -m bench [name ...]`: run the benchmarks, print the table, write bench/results/.

Names: consumer (consumer overhead), http (card lookup + register), tracing (the card
lookup with tracing on at 10 % vs off); loyalty (pipeline) only when named.
`BENCH_ROUNDS` (default 5) sets the interleaved rounds; `BENCH_QUICK=1` makes every
run short (a smoke test of the harness).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from bench.common import Result, infra_env, quick, save, store_description
from bench.consumer_overhead import consumer_overhead
from bench.http_bench import run_http_benchmarks
from bench.loyalty_pipeline import loyalty_pipeline
from bench.tracing_overhead import tracing_overhead


def main(argv: list[str]) -> int:
    infra = infra_env()
    store = store_description(infra["MONGODB_URL"])
    rounds = int(os.environ.get("BENCH_ROUNDS", "2" if quick() else "5"))
    print(f"store: {store}; kafka: {infra['KAFKA_BOOTSTRAP_SERVERS']}; rounds: {rounds}")
    suites: dict[str, Callable[[], list[Result]]] = {
        "consumer": lambda: [consumer_overhead(infra, rounds)],
        "http": lambda: run_http_benchmarks(infra, rounds),
        "loyalty": lambda: [loyalty_pipeline(infra, rounds)],
        "tracing": lambda: [tracing_overhead(infra, rounds)],
    }
    # loyalty is opt-in until its pipeline stops stalling FerretDB (docs/benchmarks.md)
    wanted = argv or ["consumer", "http", "tracing"]
    unknown = [name for name in wanted if name not in suites]
    if unknown:
        print(f"unknown benchmark(s) {unknown}; choose from {list(suites)}", file=sys.stderr)
        return 2
    results: list[Result] = []
    for name in wanted:
        print(f"== {name}", flush=True)
        results.extend(suites[name]())
    path = save(results, store)
    print()
    print(path.read_text())
    print(f"results: {path.parent}/results.json, results.md, latency.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
