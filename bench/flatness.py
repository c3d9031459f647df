"""Does loyalty's pipeline stay as fast as its history grows? (issue 15, opt-in)

`BENCH=flatness make bench` (1,000,000 purchases; hours on this machine), or
`BENCH_FLATNESS_PURCHASES=30000 uv run python -m bench flatness` for a short proof.

On fresh topics and a fresh database: loyalty (a real process) opens the accounts of
`BENCH_FLATNESS_CLIENTS` clients and stops; N purchases are produced; loyalty starts
again and consumes them all. Its consumer group's committed offset is polled every
half second (Kafka, not the store: counting receipts on FerretDB reads them all). The
figure is the rate of the last 10,000 purchases over the first 10,000 in that one run,
the first timed from the moment loyalty was ready; target >= 0.75.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path
from uuid import uuid4

from bench.common import PY, Result, Side, clean_up, run_json
from bench.groups import Groups, crossing
from bench.purchase_data import LOYALTY_ENV
from tests.support.processes import ServiceProcess, free_port

WINDOW = 10_000


def purchases() -> int:
    return int(os.environ.get("BENCH_FLATNESS_PURCHASES", "1000000"))


def produce(infra: dict[str, str], prefix: str, count: int, clients: int) -> None:
    """`count` purchases over `clients` clients; with count 0, the clients' registrations."""
    cmd = [PY, "-m", "bench.produce", "--bootstrap", infra["KAFKA_BOOTSTRAP_SERVERS"]]
    cmd += ["--kind", "purchases", "--prefix", prefix, "--count", str(count)]
    cmd += ["--clients", str(clients), "--partitions", "6"] + (["--skip-clients"] if count else [])
    run_json(cmd, timeout_s=600 + count / 200)


async def follow(infra: dict[str, str], prefix: str, count: int) -> list[tuple[float, int]]:
    """(seconds since now, committed) every half second until all `count` are in."""
    topic, group = f"{prefix}purchase.recorded", f"{prefix}loyalty"
    samples: list[tuple[float, int]] = [(0.0, 0)]
    started = last_change = time.monotonic()
    async with Groups(infra["KAFKA_BOOTSTRAP_SERVERS"], topic, prefix) as groups:
        while samples[-1][1] < count:
            await asyncio.sleep(0.5)
            done, now = await groups.committed(group), time.monotonic()
            if done != samples[-1][1]:
                last_change = now
            samples.append((now - started, done))
            if now - last_change > 300:
                raise RuntimeError(f"loyalty made no progress for 300 s at {done:,}/{count:,}")
    return samples


def window_rates(samples: list[tuple[float, int]], count: int) -> tuple[float, float]:
    first = WINDOW / crossing(samples, WINDOW)
    last = WINDOW / (crossing(samples, count) - crossing(samples, count - WINDOW))
    return first, last


def flatness(infra: dict[str, str], _rounds: int) -> Result:
    count, clients = purchases(), int(os.environ.get("BENCH_FLATNESS_CLIENTS", "10000"))
    if count < 2 * WINDOW:
        raise ValueError(f"BENCH_FLATNESS_PURCHASES must be at least {2 * WINDOW}")
    tag = f"fl{uuid4().hex[:8]}"
    prefix, db = f"{tag}.", f"{tag}_loyalty"
    port = free_port()
    env = {
        **infra, **LOYALTY_ENV, "CLIENTELE_TOPIC_PREFIX": prefix,
        "CLIENTELE_TOPIC_PARTITIONS": "6", "LOG_LEVEL": "WARNING",
        "LOYALTY_HTTP_PORT": str(port), "LOYALTY_MONGODB_DB": db,
    }  # fmt: skip
    result = Result(
        "loyalty flatness",
        "purchases/s",
        0.75,
        Side(f"last {WINDOW:,} of {count:,}"),
        Side(f"first {WINDOW:,}"),
    )
    with tempfile.TemporaryDirectory(prefix="bench-flat-") as tmp:
        loyalty = ServiceProcess("loyalty", env, Path(tmp) / "loyalty.log", port)
        try:
            produce(infra, prefix, 0, clients)  # the accounts first: no purchase waits
            loyalty.start().wait_healthy(timeout_s=120)
            asyncio.run(accounts_opened(infra, prefix))
            loyalty.stop()
            produced = time.monotonic()
            produce(infra, prefix, count, clients)
            print(f"  produced {count:,} purchases in {time.monotonic() - produced:.0f}s")
            loyalty.start().wait_healthy(timeout_s=120)
            samples = asyncio.run(follow(infra, prefix, count))
        finally:
            loyalty.stop()
            clean_up(infra, prefix, [db])
    first, last = window_rates(samples, count)
    result.project.throughputs.append(last)
    result.baseline.throughputs.append(first)
    took = samples[-1][0]
    result.notes.append(
        f"{count:,} purchases over {clients:,} clients in {took:,.0f}s "
        f"({count / took:,.0f}/s overall); first {WINDOW:,} at {first:,.0f}/s, "
        f"last {WINDOW:,} at {last:,.0f}/s"
    )
    print(f"  {result.notes[-1]}", flush=True)
    return result


async def accounts_opened(infra: dict[str, str], prefix: str) -> None:
    topic = f"{prefix}client.registered"
    async with Groups(infra["KAFKA_BOOTSTRAP_SERVERS"], topic, prefix) as groups:
        await groups.wait_caught_up([f"{prefix}loyalty"], timeout_s=600)
