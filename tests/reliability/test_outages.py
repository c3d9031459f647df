"""The broker or the store goes away during load and comes back: nothing is lost.

Both run on a private Kafka + FerretDB (`private_infra`), never the shared one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient

from shared.contracts import ClientRegistered
from tests.conftest import Slate
from tests.reliability.conftest import PrivateInfra
from tests.reliability.sizing import FULL, report, scaled
from tests.support.kafka import eventually
from tests.support.processes import ServiceProcess

OUTAGE_S = 10.0 if FULL else 3.0
WAIT_S = 900.0 if FULL else 240.0  # full runs on a shared 2-core machine are slow


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


async def test_broker_outage_during_registrations_loses_no_event(
    private_infra: PrivateInfra,
    private_slate: Slate,
    private_spawn: Callable[..., ServiceProcess],
    mongo_private: AsyncMongoClient[dict[str, Any]],
) -> None:
    total = scaled(60, 2_000)
    registry, loyalty = private_spawn("registry"), private_spawn("loyalty")
    registry.wait_healthy()
    loyalty.wait_healthy()
    db = private_slate.db_name("loyalty")
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=registry.url, timeout=30) as http:

        async def front_desk(numbers: range) -> int:
            return sum([await register_until_accepted(http, n) for n in numbers])

        desks = [asyncio.create_task(front_desk(range(d, total, 4))) for d in range(4)]

        async def a_third_in() -> bool:
            return await accounts_count(mongo_private, db) >= total // 3

        await eventually(a_third_in, timeout_s=WAIT_S)
        stopped = await asyncio.to_thread(private_infra.run, "stop-kafka")
        await asyncio.sleep(OUTAGE_S)
        await asyncio.to_thread(private_infra.run, "up")
        attempts = sum(await asyncio.gather(*desks))
    registered_s = time.monotonic() - started

    async def all_accounts_opened() -> bool:
        return await accounts_count(mongo_private, db) == total

    await eventually(all_accounts_opened, timeout_s=WAIT_S)
    clients = await mongo_private[private_slate.db_name("registry")].clients.count_documents({})
    report(
        "broker outage",
        registered=total,
        registry_clients=clients,
        loyalty_accounts=await accounts_count(mongo_private, db),
        http_attempts=attempts,
        outage_s=round(OUTAGE_S + stopped, 1),
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

    async def a_third_in() -> bool:
        return await accounts_count(mongo_private, db) >= total // 3

    await eventually(a_third_in, timeout_s=WAIT_S)
    before = await accounts_count(mongo_private, db)
    await asyncio.to_thread(private_infra.run, "stop-store")
    await asyncio.sleep(OUTAGE_S)
    await asyncio.to_thread(private_infra.run, "up")
    back = time.monotonic()

    async def all_accounts_opened() -> bool:
        return await accounts_count(mongo_private, db) == total

    await eventually(all_accounts_opened, timeout_s=WAIT_S)
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
    )
    assert loyalty.proc is not None and loyalty.proc.poll() is None  # it paused, not died
    assert await accounts_count(mongo_private, db) == total  # 0 lost, 0 doubled
