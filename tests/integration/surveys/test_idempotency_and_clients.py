"""Duplicates change nothing; templates are editable; merges and erasure are honoured."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from pymongo import AsyncMongoClient

from services.surveys.dispatch.repository import MessageStore
from services.surveys.main import create_app
from shared.contracts.registry import ClientErased, ClientMerged, ClientUpdated
from shared.contracts.surveys import SurveyAnswered
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
    signed,
    surveys_app,
    surveys_settings,
)
from tests.support.kafka import eventually

PHONE = "+4930555005"


async def test_the_same_purchase_sent_twice_asks_once(slate: Slate) -> None:
    async with surveys_app(slate, ManualClock()) as (provider, api):
        await publish(slate, registered("c-1", PHONE))
        await known(api, "c-1")
        first = purchase("p-1", {"client_id": "c-1"})
        again = purchase("p-1", {"client_id": "c-1"})  # a new event_id, the same purchase
        await publish_all(slate, [first, again, first])
        await message_of(api, "c-1", "sent")
        await publish(slate, purchase("p-2", {"client_id": "c-1"}, employee_id="E8"))

        async def two_sent() -> bool:
            return len(provider.received) == 2

        await eventually(two_sent)
        messages = (await api.get("/internal/v1/clients/c-1/messages")).json()
    assert len(messages) == 2
    assert [m["to"] for m in provider.received] == [PHONE, PHONE]


async def test_a_redelivered_answer_counts_once_in_the_ratings(slate: Slate) -> None:
    answer = SurveyAnswered(survey_id="s-1", client_id="c-1", employee_id="E7", score=3)
    later = SurveyAnswered(survey_id="s-2", client_id="c-2", employee_id="E7", score=10)
    async with running(create_app(surveys_settings(slate), ManualClock())) as api:
        await publish_all(slate, [answer, answer, later, answer])

        async def both_counted() -> Any:
            r = (await api.get("/internal/v1/clients/c-2/scores")).json()
            return r["latest"] or None

        await eventually(both_counted)
        report = (await api.get("/internal/v1/reports/nps?subject=employee:E7")).json()
    assert (report["count"], report["average"], report["detractors"]) == (2, 6.5, 1)


async def test_an_edited_template_is_used_and_a_bad_one_refused(slate: Slate) -> None:
    async with surveys_app(slate, ManualClock()) as (provider, api):
        bad = await api.put("/internal/v1/templates/survey/en", json={"text": "Rate {shop}"})
        ok = await api.put(
            "/internal/v1/templates/survey/en",
            json={"text": "{name}, how was {store} today? Reply 0-10"},
        )
        await publish(slate, registered("c-1", PHONE, name="Ada"))
        await known(api, "c-1")
        await publish(slate, purchase("p-1", {"client_id": "c-1"}))
        await message_of(api, "c-1", "sent")
        listed = (await api.get("/internal/v1/templates")).json()
    assert bad.status_code == 422 and "shop" in bad.json()["detail"]
    assert ok.status_code == 200
    assert provider.texts_to(PHONE) == ["Ada, how was S1 today? Reply 0-10"]
    assert {"kind": "survey", "language": "en"}.items() <= next(
        t for t in listed if t["kind"] == "survey" and t["language"] == "en"
    ).items()


async def test_after_a_merge_the_merged_clients_card_leads_to_the_survivor(slate: Slate) -> None:
    async with surveys_app(slate, ManualClock()) as (provider, api):
        await publish(slate, registered("c-old", "+4930555006", card_number="4000999"))
        await publish(slate, registered("c-new", PHONE))
        # Registrations and the merge travel on different topics: no order between them
        # (a merge seen first waits for the merged client).
        await publish(slate, ClientMerged(survivor_id="c-new", merged_id="c-old"))
        assert await merged_into(api, "c-old") == "c-new"
        await publish(slate, purchase("p-1", {"card_number": "4000999"}))
        sent = await message_of(api, "c-new", "sent")
    assert sent["client_id"] == "c-new"
    assert [m["to"] for m in provider.received] == [PHONE]


async def test_erasure_removes_phone_texts_and_replies_but_keeps_the_counts(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("surveys")]
    clock = ManualClock()
    async with surveys_app(slate, clock) as (_provider, api):
        await publish(slate, registered("c-1", PHONE, name="Ada"))
        await known(api, "c-1")
        await publish(slate, purchase("p-1", {"client_id": "c-1"}))
        await message_of(api, "c-1", "sent")
        body = urlencode({"from": PHONE, "text": "8 nice people", "id": "in-e"}).encode()
        await api.post(
            "/internal/v1/sms/inbound", content=body, headers=signed(body, at=clock().timestamp())
        )
        await eventually(lambda: db.client_scores.find_one({"_id": "c-1"}))
        await publish(slate, ClientErased(client_id="c-1"))

        async def erased() -> Any:
            return (await api.get("/internal/v1/clients/c-1")).json().get("erased")

        await eventually(erased)
        report = (await api.get("/internal/v1/reports/nps?subject=employee:E7")).json()
        scores = (await api.get("/internal/v1/clients/c-1/scores")).json()
    client = await db.clients.find_one({"_id": "c-1"})
    message = await db.messages.find_one({"_id": {"$exists": True}})
    reply = await db.answers.find_one({"_id": "in-e"})
    assert client is not None and client["phone"] is None and client["name"] == ""
    assert await db.lookups.find_one({"_id": f"phone:{PHONE}"}) is None
    assert message is not None and message["phone"] is None and message["text"] is None
    assert message["answer"]["comment"] is None and message["answer"]["score"] == 8
    assert reply is not None and reply["text"] is None and reply["phone"] is None
    assert scores["latest"] == []
    assert report["count"] == 1  # anonymous counts stay


async def test_a_message_is_claimed_once_unless_its_dispatcher_died(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    store = MessageStore(mongo[slate.db_name("surveys")])
    now = ManualClock().now
    first = await store.claim("m-1", now, stale_before=now - timedelta(minutes=5))
    second = await store.claim("m-1", now, stale_before=now - timedelta(minutes=5))
    later = now + timedelta(minutes=10)
    taken_over = await store.claim("m-1", later, stale_before=later - timedelta(minutes=5))
    assert (first, second, taken_over) == (True, False, True)


async def test_a_registration_delivered_again_after_an_update_changes_nothing(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    """The registration has no inbox claim: its client document recognises a repeat."""
    db = mongo[slate.db_name("surveys")]
    first, new_phone = registered("c-1", PHONE), "+4930555006"
    async with surveys_app(slate, ManualClock()) as (_provider, api):
        await publish(slate, first)
        await known(api, "c-1")
        await publish(slate, ClientUpdated(client_id="c-1", changed={"phone": new_phone}))

        async def moved() -> bool:
            return (await api.get("/internal/v1/clients/c-1")).json()["phone"] == new_phone

        await eventually(moved)
        await publish(slate, first)
        await eventually(lambda: registrations_consumed(api, slate, 2))
        client = (await api.get("/internal/v1/clients/c-1")).json()
        old_lookup = await db.lookups.find_one({"_id": f"phone:{PHONE}"})
    assert client["phone"] == new_phone
    assert old_lookup is None


async def registrations_consumed(api: Any, slate: Slate, n: int) -> bool:
    metric = f'topic="{slate.topic("client.registered")}"'
    for line in (await api.get("/metrics")).text.splitlines():
        if line.startswith("clientele_messages_consumed_total") and metric in line:
            return float(line.rsplit(" ", 1)[1]) >= n
    return False
