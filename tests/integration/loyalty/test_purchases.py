"""POS purchases on the real broker become ledger entries, balances and events."""

from __future__ import annotations

from typing import Any

import httpx
from pymongo import AsyncMongoClient

from services.loyalty.main import create_app
from tests.conftest import Slate, running
from tests.integration.loyalty.pos import (
    loyalty_settings,
    publish_all,
    purchase,
    register,
    registered,
)
from tests.support.kafka import eventually, payloads, read_topic


async def account_of(api: httpx.AsyncClient, client_id: str) -> dict[str, Any]:
    r = await api.get(f"/internal/v1/accounts/{client_id}")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def opened(api: httpx.AsyncClient, client_id: str) -> bool:
    return (await api.get(f"/internal/v1/accounts/{client_id}")).status_code == 200


async def test_a_card_purchase_earns_bonus_in_the_ledger_and_announces_it(slate: Slate) -> None:
    async with running(create_app(loyalty_settings(slate))) as api:
        await register(slate, registered("c-1", card="4000111"))
        await eventually(lambda: opened(api, "c-1"))
        await publish_all(
            slate.infra.kafka, slate.topic("purchase.recorded"), [purchase("P1", card="4000111")]
        )

        async def balance() -> Any:
            found = await account_of(api, "c-1")
            return found if found["balance"] != "0.00" else None

        account = await eventually(balance)
        ledger = (await api.get("/internal/v1/clients/c-1/ledger")).json()
    assert account["balance"] == "5.00"  # 5% of 100.00, bronze x1
    assert account["lifetime_spend"] == "100.00"
    assert account["tier"] == "bronze"
    [entry] = ledger["entries"]
    assert (entry["kind"], entry["amount"], entry["purchase_id"]) == ("accrual", "5.00", "P1")
    assert entry["cause"].startswith("purchase.recorded:")
    accrued = payloads(await read_topic(slate.infra.kafka, slate.topic("bonus.accrued"), expect=1))
    assert [(e["client_id"], e["amount"], e["reason"]) for e in accrued] == [
        ("c-1", "5.00", "purchase")
    ]


async def test_the_same_purchase_sent_three_times_counts_once(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("loyalty")]
    async with running(create_app(loyalty_settings(slate))) as api:
        await register(slate, registered("c-2", card="4000222"))
        await eventually(lambda: db.accounts.find_one({"_id": "c-2"}))
        topic = slate.topic("purchase.recorded")
        copies = [purchase("P2", card="4000222") for _ in range(3)]  # new event ids each
        await publish_all(slate.infra.kafka, topic, [copies[0]])
        await eventually(lambda: db.receipts.find_one({"_id": "purchase:P2"}))
        await publish_all(slate.infra.kafka, topic, [*copies[1:], purchase("P3", card="4000222")])
        await eventually(lambda: db.receipts.find_one({"_id": "purchase:P3"}))
        account = await account_of(api, "c-2")
    assert account["balance"] == "10.00"  # P2 once + P3
    assert await db.ledger.count_documents({"client_id": "c-2"}) == 2


async def test_a_bad_record_is_parked_alone_and_the_batch_goes_on(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("loyalty")]
    topic = slate.topic("purchase.recorded")
    bad_total = purchase("P5") | {"total": "1.00"}
    async with running(create_app(loyalty_settings(slate))) as api:
        await publish_all(
            slate.infra.kafka, topic, [purchase("P4"), b"{not json", bad_total, purchase("P6")]
        )
        await eventually(lambda: db.receipts.find_one({"_id": "purchase:P6"}))
        parked = await read_topic(slate.infra.kafka, topic + ".dlq", expect=2)
        r = await api.get("/internal/v1/reports/stores", params={"month": "2026-11"})
    assert await db.receipts.find_one({"_id": "purchase:P4"}) is not None
    assert await db.receipts.find_one({"_id": "purchase:P5"}) is None
    reasons = [dict(r.headers)["x-dlq-reason"] for r in parked]
    assert len(reasons) == 2
    assert any(b"total must equal" in r for r in reasons)
    assert any(b"json_invalid" in r for r in reasons)
    assert r.json()["stores"] == [  # anonymous sales count
        {"store_id": "S1", "revenue": "200.00", "cost_of_goods": "80.00", "discounts": "0.00",
         "bonus_cost": "0.00", "goodwill_cost": "0.00", "net_margin": "120.00", "purchases": 2}
    ]  # fmt: skip


async def test_the_asyncapi_document_shows_the_pos_contract(slate: Slate) -> None:
    async with running(create_app(loyalty_settings(slate))) as api:
        doc = (await api.get("/asyncapi.json")).json()
    addresses = {ch["address"] for ch in doc["channels"].values()}
    assert {slate.topic("purchase.recorded"), slate.topic("bonus.accrued")} <= addresses
    assert "purchase_id" in str(doc["components"])
    assert "lines" in doc["components"]["schemas"]["PurchaseRecorded"]["properties"]


async def test_a_purchase_counted_before_claims_existed_is_not_counted_again(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    """A store written by a version that deduplicated purchases by their receipt alone:
    the POS resends a purchase it counted; the new claim is new, the receipt is not."""
    db = mongo[slate.db_name("loyalty")]
    await db.receipts.insert_one({"_id": "purchase:P1", "purchase_id": "P1", "match": "client"})
    async with running(create_app(loyalty_settings(slate))) as api:
        await register(slate, registered("c-1", card="4000111"))
        await eventually(lambda: opened(api, "c-1"))
        topic = slate.topic("purchase.recorded")
        resent, fresh = purchase("P1", card="4000111"), purchase("P2", card="4000111")
        await publish_all(slate.infra.kafka, topic, [resent, fresh])
        await eventually(lambda: db.receipts.find_one({"_id": "purchase:P2"}))
        account = await account_of(api, "c-1")
    assert account["balance"] == "5.00"  # P2 only: 5% of 100.00
