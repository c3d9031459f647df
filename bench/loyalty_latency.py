"""Purchase published -> `bonus.accrued` seen: latency percentiles at half the maximum load.

`uv run python -m bench.loyalty_latency [--clients 500] [--seconds 60] [--rate R]`

On fresh topics and a fresh database:
1. start loyalty as a real process, register `--clients` clients with cards and wait
   until their accounts exist;
2. measure the maximum: pre-produce `--probe` purchases and time the drain (unless
   `--rate` is given);
3. open loop at half of it (or `--rate`) for `--seconds`: purchase n is sent at
   `start + n / rate`, and its latency is from that scheduled time (queueing counts)
   to the moment a consumer of `bonus.accrued` sees the event naming its purchase.

Prints JSON and a Markdown line with p50/p95/p99/max, the rate and how many were seen.
Target (issue 9): p99 <= 50 ms. The store is named: FerretDB figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.common import clean_up, infra_env, percentile, store_description
from bench.loyalty_throughput import (
    drained,
    produce,
    purchase_body,
    start_loyalty,
    stop,
    wait_ready,
)
from shared.contracts import ClientRegistered


def purchases(tag: str, first: int, count: int, cards: list[str]) -> list[tuple[bytes, bytes]]:
    out = []
    for n in range(first, first + count):
        card = cards[n % len(cards)]
        body = purchase_body(n, card) | {"purchase_id": f"{tag}-{n}"}
        out.append((card.encode(), json.dumps(body).encode()))
    return out


class Watch:
    """When each purchase's `bonus.accrued` was first seen; done once all expected are."""

    def __init__(self) -> None:
        self.seen: dict[str, float] = {}
        self.expected: set[str] | None = None
        self.complete = asyncio.Event()

    def note(self, purchase_id: str, at: float) -> None:
        self.seen.setdefault(purchase_id, at)
        self.check()

    def expect(self, ids: set[str]) -> None:
        self.expected = ids
        self.check()

    def check(self) -> None:
        if self.expected is not None and self.expected <= self.seen.keys():
            self.complete.set()

    async def run(self, bootstrap: str, topic: str) -> None:
        consumer = AIOKafkaConsumer(
            topic, bootstrap_servers=bootstrap, auto_offset_reset="latest",
            group_id=f"watch-{uuid4().hex[:6]}",
        )  # fmt: skip
        await consumer.start()
        try:
            while True:
                for records in (await consumer.getmany(timeout_ms=100)).values():
                    now = time.monotonic()
                    for r in records:
                        if pid := json.loads(r.value).get("purchase_id"):
                            self.note(pid, now)
        finally:
            await consumer.stop()


async def open_loop(
    bootstrap: str, topic: str, items: list[tuple[bytes, bytes]], rate: float
) -> dict[str, float]:
    """Send item n at start + n / rate; returns purchase id -> scheduled time."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=0)
    await producer.start()
    scheduled: dict[str, float] = {}
    try:
        t0 = time.monotonic() + 0.5
        for n, (key, value) in enumerate(items):
            at = t0 + n / rate
            if (wait := at - time.monotonic()) > 0:
                await asyncio.sleep(wait)
            scheduled[json.loads(value)["purchase_id"]] = at
            await producer.send(topic, value, key=key)
        await producer.flush()
    finally:
        await producer.stop()
    return scheduled


async def run(args: argparse.Namespace) -> dict[str, Any]:
    infra, tag = infra_env(), f"lat{uuid4().hex[:8]}"
    kafka, topic = infra["KAFKA_BOOTSTRAP_SERVERS"], f"{tag}.purchase.recorded"
    env = {
        **infra, "CLIENTELE_TOPIC_PREFIX": f"{tag}.", "LOYALTY_HTTP_PORT": str(args.port),
        "LOYALTY_MONGODB_DB": f"{tag}_loyalty", "LOG_LEVEL": "WARNING",
    }  # fmt: skip
    log = Path(f"/tmp/{tag}-loyalty.log")
    process = start_loyalty(env, log)
    try:
        wait_ready(args.port)
        cards = [f"8{n:09d}" for n in range(args.clients)]
        await produce(kafka, f"{tag}.client.registered", [
            (card.encode(), ClientRegistered(client_id=f"c{n}", name="Bench", card_number=card)
             .model_dump_json().encode()) for n, card in enumerate(cards)
        ])  # fmt: skip
        await drained(kafka, f"{tag}.loyalty", f"{tag}.client.registered")
        rate = args.rate
        if rate is None:
            started = time.monotonic()
            await produce(kafka, topic, purchases(tag, 0, args.probe, cards))
            await drained(kafka, f"{tag}.loyalty", topic)
            rate = args.probe / (time.monotonic() - started) / 2
        items = purchases(tag, 10_000_000, max(1, int(rate * args.seconds)), cards)
        watch = Watch()
        watcher = asyncio.create_task(watch.run(kafka, f"{tag}.bonus.accrued"))
        await asyncio.sleep(2)  # the watcher has joined and sits at the end
        scheduled = await open_loop(kafka, topic, items, rate)
        watch.expect(set(scheduled))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(watch.complete.wait(), args.drain_s)
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    finally:
        stop(process)
        await asyncio.to_thread(clean_up, infra, f"{tag}.", [f"{tag}_loyalty"])
    latencies = [(watch.seen[p] - at) * 1000 for p, at in scheduled.items() if p in watch.seen]
    return {
        "store": store_description(infra["MONGODB_URL"]), "rate_per_s": round(rate, 1),
        "sent": len(scheduled), "seen": len(latencies),
        **{f"p{q:g}_ms": round(percentile(latencies, q), 1) for q in (50, 95, 99)},
        "max_ms": round(max(latencies, default=float("nan")), 1),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--probe", type=int, default=5000, help="purchases to find the maximum")
    parser.add_argument("--rate", type=float, default=None, help="purchases/s (default: max/2)")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--drain-s", type=float, default=60)
    parser.add_argument("--port", type=int, default=18822)
    row = asyncio.run(run(parser.parse_args()))
    print(json.dumps(row))
    print("\n| rate/s | sent | seen | p50 | p95 | p99 | max |\n|---|---|---|---|---|---|---|")
    print(f"| {row['rate_per_s']} | {row['sent']} | {row['seen']} | {row['p50_ms']} ms "
          f"| {row['p95_ms']} ms | {row['p99_ms']} ms | {row['max_ms']} ms |")  # fmt: skip
    print(f"\nstore: {row['store']}")


if __name__ == "__main__":
    main()
