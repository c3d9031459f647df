"""What a purchase costs in store commands, counted in all five processes (issue 15).

2,000 POS purchases of registered clients are published at once on `purchase.recorded`
(as POS systems do after a network outage or at closing time); the count runs until
every consumer group of the topic (loyalty, surveys) has handled all of them.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

from aiokafka import AIOKafkaProducer

from tests.conftest import Slate
from tests.e2e.test_store_command_cost import (
    NOT_PER_OPERATION,
    processes,
    register,
    staff_client,
    wait_consumed,
)
from tests.integration.loyalty.pos import purchase
from tests.support.processes import ServiceProcess
from tests.support.stack import whole_stack
from tests.support.store_commands import consumed, measure

CLIENTS = 20
PURCHASES = 2_000
TOPIC = "purchase.recorded"


def publish_at_once(slate: Slate, cards: list[str], tag: str, n: int) -> None:
    """`n` purchases, round-robin over the cards, through one producer, then a flush."""

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=slate.infra.kafka, enable_idempotence=True)
        await producer.start()
        try:
            for i in range(n):
                card = cards[i % len(cards)]
                body = json.dumps(purchase(f"{tag}-{i}", card=card)).encode()
                await producer.send(slate.topic(TOPIC), body, key=card.encode())
            await producer.flush()
        finally:
            await producer.stop()

    asyncio.run(send())


def wait_purchases(consumers: list[ServiceProcess], n: int, timeout_s: float = 600) -> None:
    deadline = time.monotonic() + timeout_s
    while any(consumed(p, TOPIC) < n for p in consumers):
        assert time.monotonic() < deadline, f"{TOPIC} not consumed by every consumer group"
        time.sleep(0.5)


def test_what_a_purchase_costs_every_consumer(
    slate: Slate, spawn: Callable[..., ServiceProcess]
) -> None:
    stack = whole_stack(spawn)
    api = staff_client(stack)
    try:
        cards = [register(api, 300 + i)["card"] for i in range(CLIENTS)]
    finally:
        api.close()
    wait_consumed([stack.loyalty, stack.surveys, stack.complaints], CLIENTS)
    consumers = [stack.loyalty, stack.surveys]  # every consumer group of the topic
    publish_at_once(slate, cards, "warm", CLIENTS)  # one purchase each: warm
    wait_purchases(consumers, CLIENTS)

    cost = measure(
        processes(stack),
        lambda _: publish_at_once(slate, cards, "burst", PURCHASES),
        1,
        settle=lambda: wait_purchases(consumers, CLIENTS + PURCHASES),
    )
    spent = cost.total - sum(n for k, n in cost.commands.items() if k[2] in NOT_PER_OPERATION)
    per_purchase = {p: round(n / PURCHASES, 3) for p, n in cost.by_process().items()}
    print(f"per purchase: {spent / PURCHASES:.3f} by process {per_purchase}; {cost}")
    # Issue 15 aims at 2 over every consumer; it was 10.2 (surveys 9.05, loyalty 1.12).
    # Measured 1.50: loyalty 1.12 (h-uow's purchase path: one waiting-room read per
    # purchase, for returns parked until it, is most of it), surveys 0.21 (a batch
    # reads each distinct client's lookup, client, budget, opt-out and open complaints
    # once, then one write per collection), complaints 0.13 and registry 0.05 (the
    # tier changes the purchases cause). Surveys' share grows with the distinct
    # clients of a batch (~5 reads each).
    assert per_purchase["surveys"] <= 0.3, cost
    assert spent / PURCHASES <= 2, cost
