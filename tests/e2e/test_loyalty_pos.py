"""A POS publishes purchases and returns to Kafka; loyalty runs as a real process."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from shared.contracts.pos import PurchaseReturned, ReturnedLine
from tests.conftest import Slate
from tests.integration.loyalty.pos import publish_all, publish_raw, purchase, register, registered
from tests.support.kafka import eventually, payloads, read_topic
from tests.support.processes import ServiceProcess


async def balance_is(http: httpx.AsyncClient, client_id: str, expected: str) -> bool:
    r = await http.get(f"/internal/v1/accounts/{client_id}")
    return r.status_code == 200 and r.json()["balance"] == expected


async def test_pos_purchases_returns_and_birthdays_through_a_real_loyalty_process(
    slate: Slate, spawn: Callable[..., ServiceProcess]
) -> None:
    loyalty = spawn("loyalty")
    loyalty.wait_healthy()
    topic = slate.topic("purchase.recorded")
    await register(slate, registered("e-1", card="4000999", birthday="1990-11-23"))
    # 3 x 20.00 + 1 x 40.00 = 100.00 -> 5.00 bonus at 5%
    lines = [("A1", "3", "20.00", "8.00"), ("B2", "1", "40.00", "10.00")]
    copies = [purchase("E1", card="4000999", lines=lines) for _ in range(3)]
    async with httpx.AsyncClient(base_url=loyalty.url, timeout=10) as http:
        await publish_all(slate.infra.kafka, topic, [copies[0]])
        await eventually(lambda: balance_is(http, "e-1", "5.00"), timeout_s=60)

        # the same purchase twice more, new event ids: still one accrual
        await publish_all(slate.infra.kafka, topic, copies[1:])
        await publish_all(slate.infra.kafka, topic, [purchase("E2", card="4000999")])
        await eventually(lambda: balance_is(http, "e-1", "10.00"), timeout_s=60)

        # return 1 of 3 x A1 (20.00 of 100.00): exactly 20% of 5.00 comes back
        returned = PurchaseReturned(
            return_id="R1", purchase_id="E1", lines=[ReturnedLine(sku="A1", quantity=1)]
        )
        await publish_raw(slate, returned.TOPIC, returned.model_dump_json().encode(), "4000999")
        await eventually(lambda: balance_is(http, "e-1", "9.00"), timeout_s=60)
        account = (await http.get("/internal/v1/accounts/e-1")).json()
        assert account["lifetime_spend"] == "180.00"

        for _ in range(2):  # a birthday run twice credits once (regular: 5.00)
            r = await http.post("/internal/v1/jobs/birthdays", params={"day": "2026-11-23"})
            assert r.status_code == 200, r.text
        assert await balance_is(http, "e-1", "14.00")
        ledger = (await http.get("/internal/v1/clients/e-1/ledger")).json()

    kinds = [(e["kind"], e["amount"]) for e in reversed(ledger["entries"])]
    assert kinds == [
        ("accrual", "5.00"), ("accrual", "5.00"), ("return_reversal", "-1.00"),
        ("birthday", "5.00"),
    ]  # fmt: skip
    assert sum(int(e["amount"].replace(".", "")) for e in ledger["entries"]) == 1400
    events = payloads(await read_topic(slate.infra.kafka, slate.topic("bonus.accrued"), expect=3))
    reasons: list[Any] = sorted((e["reason"], e["amount"]) for e in events)
    assert reasons == [("birthday", "5.00"), ("purchase", "5.00"), ("purchase", "5.00")]
