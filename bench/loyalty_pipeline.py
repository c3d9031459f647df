"""Loyalty pipeline: POS purchases -> ledger + balance + bonus.accrued.

Project: the loyalty service as a process (`python -m services.loyalty`) consuming
pre-produced `purchase.recorded` events (dedup, journal, ledger, receipts, reports,
balances, events). Baseline: a hand-written aiokafka `getmany` + the ledger in ONE
`insert_many` + one `$inc` per account of the batch (sent in pieces of 16 updates:
docs/store.md) + `bonus.accrued` produced per purchase + commit (issue 15's minimal
writes), on the same data. Each side gets a fresh prefix and database per round;
throughput = purchases counted / seconds from the first batch done to the last purchase
counted (`wait_counted`; the project's accounts are opened before the purchases are
produced and it is watched from its start, not from "ready": see `project_round`).
A side that stops making progress for `STALL_S` is cut off and reported as stalled.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import uuid4

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pymongo import AsyncMongoClient, UpdateOne

from bench import flatness
from bench.common import PY, Result, Side, interleave, quick, run_json
from bench.purchase_data import LOYALTY_ENV
from shared.store.bulk import bulk_write
from tests.support.processes import ServiceProcess, free_port

STALL_S = 30.0


def produce(infra: dict[str, str], prefix: str, count: int, clients: int, only: str = "") -> None:
    """Registrations and purchases; `only="clients"` (count 0) or `only="purchases"`."""
    run_json(
        [
            PY, "-m", "bench.produce", "--bootstrap", infra["KAFKA_BOOTSTRAP_SERVERS"],
            "--kind", "purchases", "--prefix", prefix, "--count", str(count),
            "--clients", str(clients), *(["--skip-clients"] if only == "purchases" else []),
        ],
        timeout_s=600,
    )  # fmt: skip


async def wait_counted(db: Any, collection: str, count: int, started: float) -> float:
    """Purchases per second from the first ones counted to the last, or until progress
    stalls. Both sides are timed from their first batch done: joining the consumer
    group took 0 to 3 s (loyalty joins nine groups), which for 2,000 purchases swung a
    round between 1,100 and 9,600/s; `started` (the process started) bounds the stall and
    times a run done in one batch."""
    last, last_change, first = -1, started, None
    while True:
        try:  # a wedged store does not answer at all: that is no progress either
            done = await asyncio.wait_for(db[collection].count_documents({}), 10)
        except TimeoutError:
            done = last
        now = time.monotonic()
        if done > 0 and first is None:
            first = (done, now)
        if done >= count and first is not None:
            if done > first[0]:
                return (done - first[0]) / max(now - first[1], 1e-3)
            return done / max(now - started, 1e-3)  # all in one batch: from the start
        if done != last:
            last, last_change = done, now
        elif now - last_change > STALL_S:
            print(f"    stalled at {done}/{count}", flush=True)
            return (done - first[0]) / max(last_change - first[1], 1e-3) if first else 0.0
        await asyncio.sleep(0.02)


def project_round(infra: dict[str, str], count: int, clients: int, workdir: Path) -> float:
    """Loyalty opens the clients' accounts first and stops; then the purchases are
    produced and it starts again. Produced together, the registrations and the
    purchases raced in two consumer groups: purchases that came first waited for
    their client and were released one by one (about 450/s against 4,800/s)."""
    tag = f"lp{uuid4().hex[:8]}"
    port = free_port()
    env = {
        **infra, **LOYALTY_ENV, "CLIENTELE_TOPIC_PREFIX": f"{tag}.",
        "CLIENTELE_TOPIC_PARTITIONS": "3", "LOG_LEVEL": "WARNING",
        "LOYALTY_HTTP_PORT": str(port), "LOYALTY_MONGODB_DB": f"{tag}_loyalty",
    }  # fmt: skip
    process = ServiceProcess("loyalty", env, workdir / f"{tag}.log", port)
    try:
        produce(infra, f"{tag}.", 0, clients, only="clients")
        process.start().wait_healthy(timeout_s=90)
        asyncio.run(flatness.accounts_opened(infra, f"{tag}."))
        process.stop()
        produce(infra, f"{tag}.", count, clients, only="purchases")
        # Counted from the start, not from "ready": loyalty reports ready once its nine
        # consumer groups have joined, and by then the purchase group, which joins
        # first, may have handled all 2,000 (the 2026-11-28 default run read 0/s: every
        # receipt was there at the first count after "ready").
        process.start()
        started = time.monotonic()
        rate = asyncio.run(_count(infra, f"{tag}_loyalty", "receipts", count, started))
        process.wait_healthy(timeout_s=90)  # one that died or never became ready: say so
        return rate
    finally:
        process.stop()


async def _count(infra: dict[str, str], db: str, coll: str, count: int, started: float) -> float:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra["MONGODB_URL"])
    try:
        return await wait_counted(client[db], coll, count, started)
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.drop_database(db), 10)
        await client.close()


async def raw_pipeline(infra: dict[str, str], prefix: str, db_name: str, count: int) -> float:
    """The hand-written baseline: getmany, accrue, one bulk write, produce, commit."""
    bootstrap = infra["KAFKA_BOOTSTRAP_SERVERS"]
    consumer = AIOKafkaConsumer(
        f"{prefix}purchase.recorded", bootstrap_servers=bootstrap, group_id=f"{prefix}raw",
        auto_offset_reset="earliest", enable_auto_commit=False,
    )  # fmt: skip
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, linger_ms=5)
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra["MONGODB_URL"])
    accounts, ledger_coll = mongo[db_name].accounts, mongo[db_name].ledger
    await consumer.start()
    await producer.start()
    started, done, first = time.monotonic(), 0, None
    try:
        while done < count and time.monotonic() - started < 120:
            batches = await consumer.getmany(timeout_ms=200, max_records=500)
            purchases = [json.loads(r.value) for rs in batches.values() for r in rs]
            if not purchases:
                continue
            await raw_batch(purchases, producer, f"{prefix}bonus.accrued", accounts, ledger_coll)
            await consumer.commit()
            done += len(purchases)
            first = first or (done, time.monotonic())  # timed from the first batch done
        if first is None or done <= first[0]:
            return 0.0
        return (done - first[0]) / (time.monotonic() - first[1])
    finally:
        await consumer.stop()
        await producer.stop()
        await mongo.drop_database(db_name)
        await mongo.close()


async def raw_batch(
    purchases: list[dict[str, Any]],
    producer: AIOKafkaProducer,
    topic: str,
    accounts: Any,
    ledger_coll: Any,
) -> None:
    """One batch of the baseline: accrue, the minimal writes, produce."""
    sends, ledger, per_account = [], [], Counter[str]()
    for p in purchases:
        cents = int(Decimal(str(p["total"])) * 100) * 5 // 100
        cid = p["client"]["client_id"]
        per_account[cid] += cents
        ledger.append({"_id": f"purchase:{p['purchase_id']}", "client_id": cid,
                       "amount_cents": cents})  # fmt: skip
        body = {
            "client_id": cid,
            "amount": f"{Decimal(cents) / 100:.2f}",
            "purchase_id": p["purchase_id"],
        }
        sends.append(await producer.send(topic, json.dumps(body).encode()))
    # The minimal writes (issue 15): the ledger in one insert_many, one $inc per
    # account, in pieces of 16 updates as the service does (docs/store.md).
    await ledger_coll.insert_many(ledger, ordered=False)
    ops = [
        UpdateOne({"_id": cid}, {"$inc": {"balance_cents": cents}}, upsert=True)
        for cid, cents in per_account.items()
    ]
    await bulk_write(accounts, ops)
    await asyncio.gather(*sends)


def baseline_round(infra: dict[str, str], count: int, clients: int) -> float:
    tag = f"lr{uuid4().hex[:8]}"
    produce(infra, f"{tag}.", count, clients)
    return asyncio.run(raw_pipeline(infra, f"{tag}.", f"{tag}_raw", count))


def loyalty_pipeline(infra: dict[str, str], rounds: int) -> Result:
    count, clients = (500, 50) if quick() else (2_000, 200)
    result = Result(
        "loyalty pipeline",
        "purchases/s",
        0.80,
        Side("loyalty service (journal, ledger, receipts, balances, bonus.accrued)"),
        Side("aiokafka getmany + ledger insert_many + $inc per account + produce"),
    )
    result.notes.append(
        f"{count:,} purchases over {clients} clients per round, fresh topics and database "
        f"each; a side with no progress for {STALL_S:.0f}s is cut off (throughput so far)"
    )
    with tempfile.TemporaryDirectory(prefix="bench-loyalty-") as tmp:
        interleave(
            rounds,
            lambda: project_round(infra, count, clients, Path(tmp)),
            lambda: baseline_round(infra, count, clients),
            result,
        )
    return result
