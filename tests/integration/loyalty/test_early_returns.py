"""A return seen before its purchase (different topics, no order) waits for it."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from pymongo import AsyncMongoClient

from services.loyalty.main import create_app
from services.loyalty.returns.waiting import GATE, _checked_before_gate
from shared.contracts.pos import PurchaseReturned, ReturnedLine
from shared.metrics import STORE_COMMANDS
from tests.conftest import Slate, running
from tests.integration.loyalty.pos import (
    balance,
    loyalty_settings,
    publish_all,
    publish_raw,
    purchase,
    register,
    registered,
)
from tests.support.kafka import eventually, read_topic


async def send_return(slate: Slate, event: PurchaseReturned) -> None:
    await publish_raw(slate, event.TOPIC, event.model_dump_json().encode(), "990001")


async def test_a_return_before_its_purchase_is_applied_once_the_purchase_is_recorded(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    """The return comes twice before the purchase, the purchase twice after it:
    one purchase (5.00 earned on 100.00), one return of half (2.50 taken back)."""
    db = mongo[slate.db_name("loyalty")]
    back = PurchaseReturned(
        return_id="ER1", purchase_id="E1", lines=[ReturnedLine(sku="A1", quantity=1)]
    )
    async with running(create_app(loyalty_settings(slate))) as api:
        await register(slate, registered("e-1", card="990001"))
        await eventually(lambda: balance(api, "e-1"))
        await send_return(slate, back)
        await send_return(slate, back)
        await eventually(lambda: db.waiting.find_one({"_id": "waiting:purchase:E1"}))
        sale = purchase("E1", card="990001")
        topic = slate.topic("purchase.recorded")
        await publish_all(slate.infra.kafka, topic, [sale])
        await publish_all(slate.infra.kafka, topic, [sale | {"event_id": str(uuid4())}])
        returned = await eventually(lambda: db.receipts.find_one({"_id": "return:ER1"}))

        async def settled() -> bool:
            return await balance(api, "e-1") == "2.50"

        await eventually(settled)
        later = purchase("E2", card="990001", lines=[("A1", "1", "20.00", "8.00")])
        await publish_all(slate.infra.kafka, topic, [later])

        async def after_later() -> bool:  # everything before it was handled by now
            return await balance(api, "e-1") == "3.50"

        await eventually(after_later)
        receipt = await db.receipts.find_one({"_id": "purchase:E1"})
    assert returned["amount_cents"] == 5000
    assert receipt is not None and receipt["returned_cents"] == 5000


async def test_a_return_whose_purchase_never_comes_goes_to_the_dlq_with_the_reason(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("loyalty")]
    settings = loyalty_settings(slate, waiting_max_age_h=1 / 3600, waiting_sweep_interval_s=0.5)
    back = PurchaseReturned(
        return_id="ER9", purchase_id="E9", lines=[ReturnedLine(sku="A1", quantity=1)]
    )
    async with running(create_app(settings)):
        await send_return(slate, back)
        dead = await read_topic(slate.infra.kafka, slate.topic("purchase.returned.dlq"), expect=1)

        async def withdrawn() -> bool:
            doc = await db.waiting.find_one({"_id": "waiting:purchase:E9"})
            return not (doc or {}).get("events")

        await eventually(withdrawn)
    assert len(dead) == 1
    headers = {k: bytes(v).decode() for k, v in dead[0].headers}
    assert headers["x-dlq-reason"] == "purchase_never_recorded"
    assert dead[0].value == back.model_dump_json().encode()


def waiting_reads() -> float:
    """Point reads of the waiting room so far, by every store client of this process."""
    return sum(
        s.value
        for metric in STORE_COMMANDS.collect()
        for s in metric.samples
        if s.name.endswith("_total")
        and s.labels.get("command") == "find"
        and s.labels.get("collection") == "waiting"
    )


async def test_purchases_no_return_waits_for_do_not_read_the_waiting_room(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    """Issue 15: the gate is read once per batch; before, one read per purchase (20)."""
    receipts = mongo[slate.db_name("loyalty")].receipts
    topic = slate.topic("purchase.recorded")
    async with running(create_app(loyalty_settings(slate))) as api:
        await register(slate, registered("e-3", card="990003"))
        await eventually(lambda: balance(api, "e-3"))
        before = waiting_reads()
        sales = [purchase(f"G{i}", card="990003") for i in range(20)]
        await publish_all(slate.infra.kafka, topic, list(sales))
        await eventually(lambda: receipts.find_one({"_id": "purchase:G19"}))
        # One partition (one card): once G20 is counted, the batches before it are done.
        await publish_all(slate.infra.kafka, topic, [purchase("G20", card="990003")])
        await eventually(lambda: receipts.find_one({"_id": "purchase:G20"}))
        reads = waiting_reads() - before
    assert reads <= 3  # the gate per batch, and the periodic sweep may read it once


async def test_a_return_parked_before_the_gate_existed_is_still_released(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    """A store whose return waits but has no gate (parked by the version before it):
    a new process finds it by its one look at the waiting room, so the purchase
    releases it (without that look: the return waits until the DLQ, balance 5.00)."""
    db = mongo[slate.db_name("loyalty")]
    back = PurchaseReturned(
        return_id="ER4", purchase_id="E4", lines=[ReturnedLine(sku="A1", quantity=1)]
    )
    async with running(create_app(loyalty_settings(slate))) as api:
        await register(slate, registered("e-4", card="990001"))
        await eventually(lambda: balance(api, "e-4"))
        await send_return(slate, back)
        await eventually(lambda: db.waiting.find_one({"_id": "waiting:purchase:E4"}))
    await db.inbox.delete_one({"_id": GATE})  # as the version before left the store
    _checked_before_gate.discard(db.name)  # a new process
    async with running(create_app(loyalty_settings(slate))) as api:
        sale = purchase("E4", card="990001")
        await publish_all(slate.infra.kafka, slate.topic("purchase.recorded"), [sale])
        await eventually(lambda: db.receipts.find_one({"_id": "return:ER4"}))

        async def settled() -> bool:
            return await balance(api, "e-4") == "2.50"

        await eventually(settled)
