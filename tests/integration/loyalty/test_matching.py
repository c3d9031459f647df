"""A sale names its client by card and phone; any known key credits it, exactly once."""

from __future__ import annotations

from typing import Any

import httpx
from pymongo import AsyncMongoClient

from services.loyalty.main import create_app
from shared.contracts.registry import ClientUpdated
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
from tests.support.kafka import eventually


async def entries(api: httpx.AsyncClient, client_id: str) -> list[dict[str, Any]]:
    found = (await api.get(f"/internal/v1/clients/{client_id}/ledger")).json()
    return list(found["entries"])


async def update(slate: Slate, event: ClientUpdated) -> None:
    await publish_raw(slate, event.TOPIC, event.model_dump_json().encode(), event.client_id)


async def test_a_sale_on_an_unknown_card_and_a_known_phone_is_credited_at_once(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("loyalty")]
    async with running(create_app(loyalty_settings(slate))) as api:
        await register(slate, registered("m-1", phone="+4930111111"))
        await eventually(lambda: balance(api, "m-1"))
        sale = purchase("M1", card="880001", phone="+4930111111")
        await publish_all(slate.infra.kafka, slate.topic("purchase.recorded"), [sale])
        receipt = await eventually(lambda: db.receipts.find_one({"_id": "purchase:M1"}))
        assert (receipt["match"], receipt["client_id"]) == ("client", "m-1")
        assert await balance(api, "m-1") == "5.00"


async def test_a_sale_waiting_under_card_and_phone_is_credited_once_by_either(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    """The phone becomes known by the registration, the card later by an update:
    the sale is credited by the first and not again by the second."""
    db = mongo[slate.db_name("loyalty")]
    async with running(create_app(loyalty_settings(slate))) as api:
        sale = purchase("M2", card="880002", phone="+4930222222")
        await publish_all(slate.infra.kafka, slate.topic("purchase.recorded"), [sale])
        await eventually(lambda: db.receipts.find_one({"_id": "purchase:M2"}))
        await register(slate, registered("m-2", phone="+4930222222"))

        async def credited() -> bool:
            return await balance(api, "m-2") == "5.00"

        await eventually(credited)
        await update(slate, ClientUpdated(client_id="m-2", changed={"card_number": "880002"}))
        await eventually(lambda: db.lookups.find_one({"_id": "card:880002"}))
        # A purchase after the update proves it was handled in full before we look.
        later = purchase("M2b", card="880002", lines=[("A1", "1", "20.00", "8.00")])
        await publish_all(slate.infra.kafka, slate.topic("purchase.recorded"), [later])

        async def both() -> bool:
            return await balance(api, "m-2") == "6.00"

        await eventually(both)
        ledger = await entries(api, "m-2")
    assert sorted((e["kind"], e["amount"]) for e in ledger) == [
        ("accrual", "1.00"),
        ("accrual", "5.00"),
    ]


async def test_a_card_sale_is_credited_when_an_update_binds_the_card(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("loyalty")]
    async with running(create_app(loyalty_settings(slate))) as api:
        await register(slate, registered("m-3"))
        await eventually(lambda: balance(api, "m-3"))
        sale = purchase("M3", card="880003")
        await publish_all(slate.infra.kafka, slate.topic("purchase.recorded"), [sale])
        await eventually(lambda: db.receipts.find_one({"_id": "purchase:M3"}))
        await update(slate, ClientUpdated(client_id="m-3", changed={"card_number": "880003"}))

        async def credited() -> bool:
            return await balance(api, "m-3") == "5.00"

        await eventually(credited)
    receipt = await db.receipts.find_one({"_id": "purchase:M3"})
    assert receipt is not None and (receipt["match"], receipt["client_id"]) == ("client", "m-3")
