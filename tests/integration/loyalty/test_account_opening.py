"""Loyalty consumes client.registered from the real broker into the real store."""

from __future__ import annotations

import asyncio
from typing import Any

from pymongo import AsyncMongoClient

from services.loyalty.config import LoyaltySettings
from services.loyalty.main import create_app
from shared.contracts import ClientRegistered
from tests.conftest import Slate, running
from tests.support.kafka import eventually, produce, read_topic


def loyalty_settings(slate: Slate) -> LoyaltySettings:
    return LoyaltySettings(**slate.settings_kwargs("loyalty"))


async def test_registered_client_gets_an_empty_bonus_account(slate: Slate) -> None:
    event = ClientRegistered(client_id="c-1", name="Ada")
    async with running(create_app(loyalty_settings(slate))) as api:
        await produce(
            slate.infra.kafka,
            slate.topic(event.TOPIC),
            event.model_dump_json().encode(),
            key=b"c-1",
        )

        async def account() -> Any:
            r = await api.get("/internal/v1/accounts/c-1")
            return r.json() if r.status_code == 200 else None

        found = await eventually(account)
    assert found["balance"] == "0.00"
    assert found["currency"] == "EUR"


async def test_the_expiry_scan_has_its_index_for_mongodb(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    async with running(create_app(loyalty_settings(slate))):
        accounts = mongo[slate.db_name("loyalty")].accounts
        names = [i["name"] async for i in await accounts.list_indexes()]
    assert "balance_cents" in names


async def test_the_same_event_delivered_twice_opens_one_account(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    event = ClientRegistered(client_id="c-2", name="Grace")
    body = event.model_dump_json().encode()
    db = mongo[slate.db_name("loyalty")]
    async with running(create_app(loyalty_settings(slate))) as api:
        for _ in range(2):
            await produce(slate.infra.kafka, slate.topic(event.TOPIC), body, key=b"c-2")

        async def regulars() -> int:
            r = await api.get("/internal/v1/reports/categories")
            return next(c["clients"] for c in r.json()["categories"] if c["category"] == "regular")

        await eventually(regulars)
        await asyncio.sleep(2)  # time for the second delivery to count again, were it not seen
        counted = await regulars()
    assert await db.accounts.count_documents({}) == 1
    assert counted == 1
    assert await db.inbox.count_documents({}) == 0  # the account itself is the dedup record


async def test_malformed_message_is_parked_in_the_dlq_and_the_next_is_processed(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    topic = slate.topic(ClientRegistered.TOPIC)
    good = ClientRegistered(client_id="c-3", name="Linus")
    db = mongo[slate.db_name("loyalty")]
    async with running(create_app(loyalty_settings(slate))):
        await produce(
            slate.infra.kafka,
            topic,
            b'{"event_id": "not json',
            key=b"c-3",
            headers=[("x-correlation-id", b"corr-1")],
        )
        await produce(slate.infra.kafka, topic, b'{"client_id": 5}', key=b"c-3")
        await produce(slate.infra.kafka, topic, good.model_dump_json().encode(), key=b"c-3")
        await eventually(lambda: db.accounts.find_one({"_id": "c-3"}))

    parked = await read_topic(slate.infra.kafka, topic + ".dlq", expect=2)
    assert [r.value for r in parked] == [b'{"event_id": "not json', b'{"client_id": 5}']
    first, second = (dict(r.headers) for r in parked)
    assert first["x-correlation-id"] == b"corr-1"
    assert b"JSONDecodeError" in first["x-dlq-reason"] or b"json" in first["x-dlq-reason"].lower()
    assert b"ValidationError" in second["x-dlq-reason"]
    assert b"name" in second["x-dlq-reason"]  # says which field is missing
    assert second["x-dlq-original-topic"] == topic.encode()
