"""The broker or the store goes away during load and comes back: nothing is lost.

Both run on a private Kafka + FerretDB (`private_infra`), never the shared one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient

from shared.contracts import ClientRegistered
from tests.conftest import Slate
from tests.reliability.conftest import PrivateInfra
from tests.reliability.sizing import FULL, report, scaled
from tests.support.processes import ServiceProcess

OUTAGE_S = 10.0 if FULL else 3.0
# Waits end when the count stops moving for this long (a stuck consumer), not after a
# fixed total: a full run on a busy 2-core box is slow, not stuck (pytest's timeout
# is the ceiling).
STALL_S = 120.0 if FULL else 60.0
# Shorter than the outage: the registry's producer breaks, as it did in production
# with the default 15 s and a longer outage, and must replace itself.
REQUEST_TIMEOUT_MS = "15000" if FULL else "3000"
# How long a registration waits for Kafka before leaving its event to the relay
# (10 s by default; shorter keeps the short run short).
SEND_TIMEOUT_S = "10" if FULL else "3"


async def register_until_accepted(http: httpx.AsyncClient, n: int) -> int:
    """Register client n like a patient front desk: retry until the registry answers."""
    attempts = 0
    body = {"name": f"Outage Client {n}", "phone": f"+4930{n + 20_000_000:08d}"}
    while True:
        attempts += 1
        try:
            response = await http.post("/internal/v1/clients", json=body)
        except httpx.HTTPError:
            response = None
        if response is not None and response.status_code in (201, 409):
            return attempts  # 409: an earlier attempt got through; it is registered
        await asyncio.sleep(0.2)


async def accounts_count(mongo: AsyncMongoClient[dict[str, Any]], db: str) -> int:
    try:
        return await mongo[db].accounts.count_documents({})
    except Exception:
        return -1  # the store is down right now


async def until_count(count: Callable[[], Awaitable[int]], target: int, what: str) -> float:
    """Wait until `count()` reaches `target`; fail if it stays put for STALL_S.

    Returns the seconds waited. A slow machine only makes this slower; a stuck
    consumer fails it with the count it is stuck at.
    """
    started = best_at = time.monotonic()
    best = -1
    while (now := await count()) < target:
        if now > best:
            best, best_at = now, time.monotonic()
        elif time.monotonic() - best_at > STALL_S:
            raise AssertionError(f"{what}: stuck at {best} of {target} for {STALL_S:.0f} s")
        await asyncio.sleep(0.5)
    return time.monotonic() - started


async def test_broker_outage_during_registrations_loses_no_event(
    private_infra: PrivateInfra,
    private_slate: Slate,
    private_spawn: Callable[..., ServiceProcess],
    mongo_private: AsyncMongoClient[dict[str, Any]],
) -> None:
    total = scaled(60, 2_000)
    registry = private_spawn(
        "registry",
        {
            "REGISTRY_KAFKA_REQUEST_TIMEOUT_MS": REQUEST_TIMEOUT_MS,
            "REGISTRY_KAFKA_SEND_TIMEOUT_S": SEND_TIMEOUT_S,
        },
    )
    loyalty = private_spawn("loyalty")
    registry.wait_healthy()
    loyalty.wait_healthy()
    db = private_slate.db_name("loyalty")
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=registry.url, timeout=30) as http:

        async def front_desk(numbers: range) -> int:
            return sum([await register_until_accepted(http, n) for n in numbers])

        desks = [asyncio.create_task(front_desk(range(d, total, 4))) for d in range(4)]

        async def accounts() -> int:
            return await accounts_count(mongo_private, db)

        await until_count(accounts, total // 3, "accounts before the outage")
        stopped = await asyncio.to_thread(private_infra.run, "stop-kafka")
        await asyncio.sleep(OUTAGE_S)
        up = await asyncio.to_thread(private_infra.run, "up")
        attempts = sum(await asyncio.gather(*desks))
    registered_s = time.monotonic() - started

    await until_count(accounts, total, "accounts after the outage")
    clients = await mongo_private[private_slate.db_name("registry")].clients.count_documents({})
    report(
        "broker outage",
        registered=total,
        registry_clients=clients,
        loyalty_accounts=await accounts_count(mongo_private, db),
        http_attempts=attempts,
        registry_producer_replaced=registry.log_text().count("kafka_producer_replaced"),
        outage_s=round(stopped + OUTAGE_S + up, 1),  # stopping + down + starting
        registered_in_s=round(registered_s, 1),
        all_consumed_in_s=round(time.monotonic() - started, 1),
    )
    assert clients == total
    assert await accounts_count(mongo_private, db) == total  # 0 lost, 0 doubled


async def test_store_outage_pauses_the_consumer_and_it_resumes_losing_nothing(
    private_infra: PrivateInfra,
    private_slate: Slate,
    private_spawn: Callable[..., ServiceProcess],
    mongo_private: AsyncMongoClient[dict[str, Any]],
) -> None:
    total = scaled(150, 5_000)
    loyalty = private_spawn("loyalty")
    loyalty.wait_healthy()
    db = private_slate.db_name("loyalty")
    producer = AIOKafkaProducer(
        bootstrap_servers=private_slate.infra.kafka, enable_idempotence=True, linger_ms=5
    )
    await producer.start()
    try:
        topic = private_slate.topic(ClientRegistered.TOPIC)
        sends = []
        for n in range(total):
            event = ClientRegistered(client_id=f"s-{n}", name="Store Outage")
            body = event.model_dump_json().encode()
            sends.append(await producer.send(topic, body, key=f"s-{n}".encode()))
        await asyncio.gather(*sends)
    finally:
        await producer.stop()
    started = time.monotonic()

    async def accounts() -> int:
        return await accounts_count(mongo_private, db)

    await until_count(accounts, total // 3, "accounts before the outage")
    before = await accounts_count(mongo_private, db)
    before_s = time.monotonic() - started
    await asyncio.to_thread(private_infra.run, "stop-store")
    await asyncio.sleep(OUTAGE_S)
    await asyncio.to_thread(private_infra.run, "up")
    back = time.monotonic()

    caught_up_s = await until_count(accounts, total, "accounts after the outage")
    retries = loyalty.log_text().count("message_retry_later")
    report(
        "store outage",
        events=total,
        accounts=await accounts_count(mongo_private, db),
        accounts_before_outage=before,
        outage_s=OUTAGE_S,
        transient_retries_logged=retries,
        caught_up_after_s=round(time.monotonic() - back, 1),
        total_s=round(time.monotonic() - started, 1),
        # The same pace before and after says "slow", not "stuck".
        per_s_before=round(before / before_s, 1),
        per_s_after=round((total - before) / caught_up_s, 1) if caught_up_s else 0,
    )
    assert loyalty.proc is not None and loyalty.proc.poll() is None  # it paused, not died
    assert await accounts_count(mongo_private, db) == total  # 0 lost, 0 doubled
