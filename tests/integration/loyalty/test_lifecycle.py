"""Unmatched cards, goodwill, expiry paused by complaints, churn risk: on the real broker."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from services.loyalty.main import create_app
from services.loyalty.reports.shards import all_shards, summed
from shared.contracts.complaints import ComplaintFiled, ComplaintResolved, GoodwillGranted
from shared.contracts.pos import PurchaseReturned, ReturnedLine
from shared.contracts.registry import ClientMerged
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
from tests.support.kafka import eventually, payloads, read_topic


async def test_a_purchase_on_an_unknown_card_is_credited_when_its_client_registers(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("loyalty")]
    async with running(create_app(loyalty_settings(slate))) as api:
        await publish_all(
            slate.infra.kafka, slate.topic("purchase.recorded"), [purchase("U1", card="777")]
        )
        await eventually(lambda: db.receipts.find_one({"_id": "purchase:U1"}))
        await register(slate, registered("u-1", card="777"))

        async def credited() -> bool:
            return await balance(api, "u-1") == "5.00"

        await eventually(credited)
    receipt = await db.receipts.find_one({"_id": "purchase:U1"})
    assert receipt is not None and (receipt["match"], receipt["client_id"]) == ("client", "u-1")


async def test_a_purchase_returned_in_part_before_its_client_registers_is_credited_net(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    """3 x A1 at 20.00 (cost 8.00) + 1 x B2 at 40.00 (cost 10.00) on an unknown card;
    1 x A1 comes back before the client registers: 100.00 bought, 20.00 returned."""
    db = mongo[slate.db_name("loyalty")]
    lines = [("A1", "3", "20.00", "8.00"), ("B2", "1", "40.00", "10.00")]
    first = PurchaseReturned(
        return_id="RU1", purchase_id="U2", lines=[ReturnedLine(sku="A1", quantity=1)]
    )
    rest = PurchaseReturned(
        return_id="RU2", purchase_id="U2",
        lines=[ReturnedLine(sku="A1", quantity=2), ReturnedLine(sku="B2", quantity=1)],
    )  # fmt: skip
    async with running(create_app(loyalty_settings(slate))) as api:
        await publish_all(
            slate.infra.kafka,
            slate.topic("purchase.recorded"),
            [purchase("U2", card="778", lines=lines)],
        )
        await eventually(lambda: db.receipts.find_one({"_id": "purchase:U2"}))
        await publish_raw(slate, first.TOPIC, first.model_dump_json().encode(), "778")
        await eventually(lambda: db.receipts.find_one({"_id": "return:RU1"}))
        await register(slate, registered("u-2", card="778"))

        async def credited() -> bool:  # 5 % of 100.00, less 20 % of it returned
            return await balance(api, "u-2") == "4.00"

        await eventually(credited)

        async def reported() -> Any:  # the journal writes the balance before the reports
            found = (await api.get("/internal/v1/reports/clients/u-2")).json()
            return found if found["lifetime"]["bonus_cost"] == "4.00" else None

        report = await eventually(reported)
        await publish_raw(slate, rest.TOPIC, rest.model_dump_json().encode(), "778")

        async def all_back() -> bool:
            return await balance(api, "u-2") == "0.00"

        await eventually(all_back)

        async def posted() -> Any:  # the journal writes the balance before the ledger
            found = (await api.get("/internal/v1/clients/u-2/ledger")).json()
            return found if len(found["entries"]) == 3 else None

        ledger = await eventually(posted)
    kinds = [(e["kind"], e["amount"]) for e in reversed(ledger["entries"])]
    assert kinds == [
        ("accrual", "5.00"),
        ("return_reversal", "-1.00"),
        ("return_reversal", "-4.00"),
    ]
    assert str(first.event_id) in ledger["entries"][1]["cause"]
    lifetime = report["lifetime"]
    assert (lifetime["revenue"], lifetime["cost_of_goods"]) == ("80.00", "26.00")
    assert lifetime["bonus_cost"] == "4.00"
    key = "category:unmatched:2026-11"  # summed over the writers' shards
    unmatched = (await summed(db, "reports", [key], await all_shards(db))).get(key)
    assert unmatched is not None
    assert (unmatched["revenue_cents"], unmatched["cost_cents"], unmatched["purchases"]) == (
        0,
        0,
        0,
    )


async def test_goodwill_twice_credits_once_and_a_merge_moves_the_balance(slate: Slate) -> None:
    grant = GoodwillGranted(
        grant_id="g-1", client_id="w-1", amount=Decimal("4.00"), currency="EUR", reason="late"
    )
    async with running(create_app(loyalty_settings(slate))) as api:
        for cid in ("w-1", "w-2"):
            await register(slate, registered(cid))
        await eventually(lambda: balance(api, "w-2"))
        for _ in range(2):
            await publish_raw(slate, grant.TOPIC, grant.model_dump_json().encode(), "w-1")

        async def granted() -> bool:
            return await balance(api, "w-1") == "4.00"

        await eventually(granted)
        merged = ClientMerged(survivor_id="w-2", merged_id="w-1")
        await publish_raw(slate, merged.TOPIC, merged.model_dump_json().encode(), "w-1")

        async def moved() -> bool:
            return await balance(api, "w-2") == "4.00"

        await eventually(moved)

        async def posted() -> Any:  # the journal writes the balance before the ledger
            found = (await api.get("/internal/v1/clients/w-2/ledger")).json()
            return found if len(found["entries"]) == 3 else None

        ledger = await eventually(posted)
        gone = await api.get("/internal/v1/accounts/w-1")
    assert gone.status_code == 404
    assert sorted(e["kind"] for e in ledger["entries"]) == ["adjustment", "adjustment", "goodwill"]


async def test_expiry_waits_for_an_open_complaint_and_churn_flags_once(slate: Slate) -> None:
    filed = ComplaintFiled(
        complaint_id="k-1", client_id="x-1", kind="complaint", channel="phone", topic="rude",
        priority="normal",
    )  # fmt: skip
    resolved = ComplaintResolved(complaint_id="k-1", client_id="x-1", resolution="apology")
    buys = [
        purchase(f"X{n}", card="888", at=f"2025-0{n}-01T10:00:00Z") for n in (1, 2, 3)
    ]  # monthly rhythm, long ago
    async with running(create_app(loyalty_settings(slate, expiry_months=6))) as api:
        await register(slate, registered("x-1", card="888"))
        await eventually(lambda: balance(api, "x-1"))
        await publish_all(slate.infra.kafka, slate.topic("purchase.recorded"), buys)

        async def bought() -> bool:
            return await balance(api, "x-1") == "15.00"

        await eventually(bought)
        await publish_raw(slate, filed.TOPIC, filed.model_dump_json().encode(), "x-1")

        await _until_complaint_recorded(api)
        assert (await api.post("/internal/v1/jobs/expiry")).status_code == 200
        paused = await balance(api, "x-1")
        await publish_raw(slate, resolved.TOPIC, resolved.model_dump_json().encode(), "x-1")

        async def expired() -> bool:
            await api.post("/internal/v1/jobs/expiry")
            return await balance(api, "x-1") == "0.00"

        await eventually(expired)
        for _ in range(2):
            await api.post("/internal/v1/jobs/churn", params={"day": "2026-11-23"})
    assert paused == "15.00"
    risk = payloads(await read_topic(slate.infra.kafka, slate.topic("client.at_risk"), expect=1))
    assert [(r["client_id"], r["median_gap_days"]) for r in risk] == [("x-1", 29.5)]


async def _until_complaint_recorded(api: httpx.AsyncClient) -> None:
    app = api._transport.app  # type: ignore[attr-defined]
    db = app.state.runtime.db

    async def recorded() -> bool:
        doc = await db.accounts.find_one({"_id": "x-1"})
        return bool(doc and doc.get("open_complaints"))

    await eventually(recorded)
