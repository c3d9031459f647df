"""Purchases per second through loyalty's whole pipeline: batched vs one at a time.

`python -m bench.loyalty_throughput --count 100000 --batch-sizes 500,1`

For each batch size, on fresh topics and a fresh database:
1. start loyalty as a real process (`python -m services.loyalty`,
   `LOYALTY_PURCHASE_BATCH_SIZE=<n>`), register `--clients` clients with cards
   through `client.registered` and wait until their accounts exist;
2. stop it, pre-produce `--count` `purchase.recorded` events keyed by card number
   (as a POS would: aiokafka, JSON bytes), 1 in 10 anonymous;
3. start it again and time from its start until the purchase consumer group's
   committed offsets reach the end offsets (every purchase validated, deduplicated,
   matched, written with ledger, receipts and reports, its events published and its
   offset committed). The process start-up is reported apart.

Prints one JSON line per batch size and a Markdown table. The store is named:
FerretDB figures are a floor, not what MongoDB does in production.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from pymongo import AsyncMongoClient

from bench.common import infra_env, store_description
from shared.contracts import ClientRegistered

ROOT = Path(__file__).resolve().parents[1]


def purchase_body(n: int, card: str | None) -> dict[str, Any]:
    qty, price = 1 + n % 3, 5 + n % 40
    client = {"card_number": card, "phone": None, "client_id": None} if card else None
    return {
        "event_id": str(uuid4()), "schema_version": 1, "occurred_at": "2026-11-23T10:15:00Z",
        "purchase_id": f"bench-{n}", "store_id": f"S{n % 5}", "employee_id": f"E{n % 20}",
        "client": client, "currency": "EUR",
        "lines": [{"sku": f"SKU{n % 50}", "name": "item", "quantity": str(qty),
                   "unit_price": f"{price}.50", "unit_cost": f"{price // 2}.10",
                   "discount": "0.00"}],
        "total": f"{qty * price + qty // 2}.{(qty * 50) % 100:02d}",
        "bonus_redeemed": "0.00", "payment": "card",
    }  # fmt: skip


async def produce(bootstrap: str, topic: str, items: list[tuple[bytes, bytes]]) -> float:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=5,
        max_batch_size=256 * 1024,
    )  # fmt: skip
    await producer.start()
    started = time.perf_counter()
    try:
        pending = []
        for key, value in items:
            pending.append(await producer.send(topic, value, key=key))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return time.perf_counter() - started


PARTITIONS = 6


async def group_lag(bootstrap: str, group: str, topic: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group)
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        ends = await consumer.end_offsets(parts)
        lag = 0
        for tp in parts:
            lag += ends[tp] - (await consumer.committed(tp) or 0)
        return lag
    finally:
        await consumer.stop()


async def drained(bootstrap: str, group: str, topic: str) -> None:
    lag = await group_lag(bootstrap, group, topic)
    while lag != 0:
        await asyncio.sleep(1)
        lag = await group_lag(bootstrap, group, topic)


def start_loyalty(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "services.loyalty"], cwd=ROOT, env={**os.environ, **env},
        stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def wait_ready(port: int, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("loyalty did not become ready")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=60)


async def journals_left_and_drop(url: str, db_name: str) -> int:
    """Journals a run left open (none, if every batch finished), then the run's data."""
    db_client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url)
    try:
        left = await db_client[db_name]["journals"].count_documents({})
        await db_client.drop_database(db_name)
        return left
    finally:
        await db_client.close()


async def run_one(args: argparse.Namespace, batch_size: int) -> dict[str, Any]:
    tag = f"bench{uuid4().hex[:8]}"
    infra, port = infra_env(), args.port
    env = {
        **infra, "CLIENTELE_TOPIC_PREFIX": f"{tag}.", "CLIENTELE_TOPIC_PARTITIONS": str(PARTITIONS),
        "LOYALTY_HTTP_PORT": str(port), "LOYALTY_MONGODB_DB": f"{tag}_loyalty",
        "LOYALTY_PURCHASE_BATCH_SIZE": str(batch_size), "LOG_LEVEL": "WARNING",
    }  # fmt: skip
    kafka, log = infra["KAFKA_BOOTSTRAP_SERVERS"], Path(f"/tmp/{tag}-loyalty.log")
    process = start_loyalty(env, log)
    wait_ready(port)
    cards = [f"9{n:09d}" for n in range(args.clients)]
    registrations = [
        (f"c{n}".encode(), ClientRegistered(client_id=f"c{n}", name="Bench", card_number=card)
         .model_dump_json().encode())
        for n, card in enumerate(cards)
    ]  # fmt: skip
    await produce(kafka, f"{tag}.client.registered", registrations)
    await drained(kafka, f"{tag}.loyalty", f"{tag}.client.registered")
    stop(process)
    rng = random.Random(7)
    purchases = []
    for n in range(args.count):
        card = None if n % 10 == 0 else rng.choice(cards)
        key = (card or f"store:S{n % 5}").encode()
        purchases.append((key, json.dumps(purchase_body(n, card)).encode()))
    produce_s = await produce(kafka, f"{tag}.purchase.recorded", purchases)
    started = time.perf_counter()
    process = start_loyalty(env, log)
    wait_ready(port)
    ready_s = time.perf_counter() - started
    while (lag := await group_lag(kafka, f"{tag}.loyalty", f"{tag}.purchase.recorded")) != 0:
        if process.poll() is not None:
            raise RuntimeError(f"loyalty exited; see {log}")
        if time.perf_counter() - started > args.timeout_s:
            break
        await asyncio.sleep(0.5)
    elapsed = time.perf_counter() - started
    stop(process)
    done = args.count - max(lag, 0)
    journals_left = await journals_left_and_drop(infra["MONGODB_URL"], f"{tag}_loyalty")
    return {
        "batch_size": batch_size, "purchases": done, "of": args.count,
        "elapsed_s": round(elapsed, 1), "startup_s": round(ready_s, 1),
        "events_per_s": round(done / elapsed, 1),
        "events_per_s_after_startup": round(done / max(elapsed - ready_s, 1e-9), 1),
        "produce_s": round(produce_s, 1), "journals_left": journals_left,
        "completed": lag == 0,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=5_000)
    parser.add_argument("--batch-sizes", default="500,1")
    parser.add_argument("--port", type=int, default=18802)
    parser.add_argument("--timeout-s", type=float, default=3600)
    args = parser.parse_args()
    store = store_description(infra_env()["MONGODB_URL"])
    rows = []
    for size in (int(s) for s in args.batch_sizes.split(",")):
        row = asyncio.run(run_one(args, size)) | {"store": store}
        print(json.dumps(row), flush=True)
        rows.append(row)
    print("\n| batch size | purchases | seconds | events/s | events/s after start-up |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['batch_size']} | {r['purchases']} | {r['elapsed_s']} | {r['events_per_s']} "
            f"| {r['events_per_s_after_startup']} |"
        )
    print(f"\nstore: {store}")


if __name__ == "__main__":
    main()
