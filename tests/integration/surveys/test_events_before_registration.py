"""Events that arrive before the registration of their client wait for it (park and retry).

Purchases, updates and merges travel on other topics than `client.registered`, so
surveys may see them first. Each test sends the dependent event FIRST, waits until it
is parked in `waiting`, and only then registers the client.
"""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from services.surveys.main import create_app
from services.surveys.outreach.model import message_id
from shared.contracts.registry import ClientMerged, ClientUpdated
from tests.conftest import Slate, running
from tests.integration.surveys.support import (
    ManualClock,
    known,
    merged_into,
    message_of,
    publish,
    publish_all,
    purchase,
    registered,
    surveys_app,
    surveys_settings,
)
from tests.support.kafka import eventually, read_topic

PHONE = "+4930555201"
CARD = "4000201"


def parked(db: Any, key: str) -> Any:
    async def check() -> Any:
        doc = await db.waiting.find_one({"_id": f"waiting:{key}"})
        return (doc or {}).get("events")

    return check


async def test_a_purchase_before_the_registration_still_gets_its_survey(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("surveys")]
    async with surveys_app(slate, ManualClock()) as (provider, api):
        await publish(slate, purchase("p-1", {"card_number": CARD}))
        waiting = await eventually(parked(db, f"card:{CARD}"))
        assert [e["reason"] for e in waiting] == ["unknown_client"]
        # The marker the registration's lookups write probes (waiting.py)
        await eventually(lambda: db.lookups.find_one({"_id": f"parked:card:{CARD}"}))

        await publish(slate, registered("c-1", PHONE, card_number=CARD))
        sent = await message_of(api, "c-1", "sent")
        assert await db.waiting.find_one({"_id": f"waiting:card:{CARD}"}) is None
        assert await db.lookups.find_one({"_id": f"parked:card:{CARD}"}) is None
    assert sent["id"] == message_id("survey", "p-1")
    assert [m["to"] for m in provider.received] == [PHONE]


async def test_a_parked_purchase_delivered_again_asks_once(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("surveys")]
    first = purchase("p-1", {"phone": "030 555201"})  # a local format: parked as E.164
    again = purchase("p-1", {"phone": PHONE})  # the same purchase, a new event_id
    async with surveys_app(slate, ManualClock()) as (_provider, api):
        await publish_all(slate, [first, first])  # in one batch or two: parked once
        await eventually(lambda: _count(parked(db, f"phone:{PHONE}"), 1))
        await publish(slate, again)  # alone: in a batch with `first` it would count once
        await eventually(
            lambda: _count(parked(db, f"phone:{PHONE}"), 2)  # one entry per event_id
        )
        await publish(slate, registered("c-1", PHONE))
        await message_of(api, "c-1", "sent")
        # The parked copies go a few round trips after the message is planned.
        await eventually(lambda: _gone(db, f"phone:{PHONE}"))
        # Delivered once more after it was applied; p-2 behind it on the one partition
        # shows when it has been handled.
        await publish_all(slate, [first, purchase("p-2", {"client_id": "c-1"})])
        await eventually(lambda: _has_message(api, "p-2"))
        messages = (await api.get("/internal/v1/clients/c-1/messages")).json()
    assert sorted(m["id"] for m in messages) == sorted(
        message_id("survey", p) for p in ("p-1", "p-2")
    )


async def test_updates_before_the_registration_are_applied_after_it_in_order(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("surveys")]
    updates = [
        ClientUpdated(client_id="c-1", changed={"language": "de", "card_number": CARD}),
        ClientUpdated(client_id="c-1", changed={"language": "fr"}),
    ]
    async with running(create_app(surveys_settings(slate), ManualClock())) as api:
        await publish_all(slate, updates)
        await eventually(lambda: _count(parked(db, "client:c-1"), 2))
        await publish(slate, registered("c-1", PHONE))

        async def client() -> Any:
            found = (await api.get("/internal/v1/clients/c-1")).json()
            return found if found.get("language") == "fr" else None

        await eventually(client)
        await eventually(lambda: _gone(db, "client:c-1"))  # just after "fr" is stored
        card = await db.lookups.find_one({"_id": f"card:{CARD}"})
    assert card["client_id"] == "c-1"  # the first update's card, kept by the second


async def test_a_merge_before_the_registrations_leads_the_merged_card_to_the_survivor(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("surveys")]
    async with surveys_app(slate, ManualClock()) as (provider, api):
        await publish(slate, ClientMerged(survivor_id="c-new", merged_id="c-old"))
        await eventually(parked(db, "client:c-old"))
        await publish(slate, registered("c-old", "+4930555202", card_number=CARD))
        await publish(slate, registered("c-new", PHONE))
        await known(api, "c-new")
        assert await merged_into(api, "c-old") == "c-new"
        await publish(slate, purchase("p-1", {"card_number": CARD}))
        sent = await message_of(api, "c-new", "sent")
    assert sent["client_id"] == "c-new"
    assert [m["to"] for m in provider.received] == [PHONE]


async def test_a_purchase_whose_client_never_registers_goes_to_the_dlq_with_the_reason(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("surveys")]
    settings = surveys_settings(slate, waiting_max_age_h=1 / 3600, waiting_sweep_interval_s=0.5)
    event = purchase("p-9", {"card_number": "4000299"})
    async with running(create_app(settings, ManualClock())):
        await publish(slate, event)
        dead = await read_topic(
            slate.infra.kafka, slate.topic("purchase.recorded.dlq"), expect=1, timeout_s=30
        )
        await eventually(lambda: _gone(db, "card:4000299"))
    assert len(dead) == 1
    headers = {k: bytes(v).decode() for k, v in dead[0].headers}
    assert headers["x-dlq-reason"] == "client_never_registered"
    assert headers["x-dlq-original-topic"] == slate.topic("purchase.recorded")
    assert dead[0].value == event.model_dump_json().encode()  # the original bytes


async def test_a_purchase_waiting_under_card_and_phone_is_applied_once_never_dead_lettered(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("surveys")]
    settings = surveys_settings(
        slate, provider_url=None, waiting_max_age_h=6 / 3600, waiting_sweep_interval_s=0.5
    )
    async with running(create_app(settings, ManualClock())) as api:
        await publish(slate, purchase("p-1", {"card_number": CARD, "phone": PHONE}))
        await eventually(parked(db, f"phone:{PHONE}"))
        await publish(slate, registered("c-1", "+4930555299", card_number=CARD))  # another phone
        await message_of(api, "c-1")
        # The copy under the phone (still unknown) is dropped by the sweep, not dead-lettered.
        await eventually(lambda: _gone(db, f"phone:{PHONE}"), timeout_s=30)
        dead = await read_topic(
            slate.infra.kafka, slate.topic("purchase.recorded.dlq"), expect=1, timeout_s=2
        )
        messages = (await api.get("/internal/v1/clients/c-1/messages")).json()
    assert dead == []
    assert [m["id"] for m in messages] == [message_id("survey", "p-1")]


async def _count(check: Any, n: int) -> bool:
    return len(await check() or ()) == n


async def _has_message(api: Any, purchase_id: str) -> bool:
    messages = (await api.get("/internal/v1/clients/c-1/messages")).json()
    return any(m["id"] == message_id("survey", purchase_id) for m in messages)


async def _gone(db: Any, key: str) -> bool:
    doc = await db.waiting.find_one({"_id": f"waiting:{key}"})
    return not (doc or {}).get("events")
