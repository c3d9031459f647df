"""A purchase becomes a survey SMS at the provider; the reply becomes an answer and a rating."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from pymongo import AsyncMongoClient

from services.surveys.main import create_app
from tests.conftest import Slate, running
from tests.integration.surveys.support import (
    ManualClock,
    known,
    message_of,
    publish,
    purchase,
    registered,
    signed,
    surveys_app,
    surveys_settings,
)
from tests.support.kafka import eventually, payloads, read_topic

PHONE = "+4930555001"


async def test_purchase_by_a_consenting_client_sends_a_survey_sms(slate: Slate) -> None:
    clock = ManualClock()
    async with surveys_app(slate, clock) as (provider, api):
        await publish(slate, registered("c-1", PHONE, card_number="4000111"))
        await known(api, "c-1")
        await publish(slate, purchase("p-1", {"card_number": "4000111"}))
        sent = await message_of(api, "c-1")
        # read while the service runs: its relay publishes what a slow flush left behind
        requested = payloads(
            await read_topic(slate.infra.kafka, slate.topic("survey.requested"), expect=1)
        )

    assert sent["status"] == "sent", sent
    assert provider.received == [
        {
            "to": PHONE,
            "from": "Clientele",
            "text": "Rate your visit to S1 with E7 from 0 to 10",
            "reference": sent["id"],
            "user": "acme",
        }
    ]
    assert requested[0]["survey_id"] == sent["id"]
    assert (requested[0]["client_id"], requested[0]["employee_id"]) == ("c-1", "E7")


async def test_reply_answers_the_survey_and_moves_the_employees_rating(slate: Slate) -> None:
    clock = ManualClock()
    async with surveys_app(slate, clock) as (_provider, api):
        await publish(slate, registered("c-2", PHONE, category="vip"))
        await known(api, "c-2")
        visit = purchase("p-2", {"phone": "030 555001"}, employee_id="E9")
        await publish(slate, visit)
        survey = await message_of(api, "c-2", "sent")

        body = urlencode({"from": PHONE, "text": "9 great staff", "id": "in-1"}).encode()
        r = await api.post(
            "/internal/v1/sms/inbound", content=body, headers=signed(body, at=clock().timestamp())
        )
        assert r.status_code == 200, r.text
        assert r.json() == {
            "id": "in-1",
            "status": "answered",
            "survey_id": survey["id"],
            "score": 9,
        }

        async def scores_on_the_card() -> Any:
            got = (await api.get("/internal/v1/clients/c-2/scores")).json()
            return got if got["latest"] else None

        scores = await eventually(scores_on_the_card)  # written after the ratings
        reports = [
            (await api.get("/internal/v1/reports/nps", params={"subject": s})).json()
            for s in ("employee:E9", "category:vip", "store:S1")
        ]

    answered = payloads(
        await read_topic(slate.infra.kafka, slate.topic("survey.answered"), expect=1)
    )
    assert answered[0]["visited_at"][:19] == visit.occurred_at.isoformat()[:19]
    assert answered[0] | {"event_id": None, "occurred_at": None, "visited_at": None} == {
        "event_id": None,
        "occurred_at": None,
        "visited_at": None,
        "schema_version": 1,
        "survey_id": survey["id"],
        "client_id": "c-2",
        "employee_id": "E9",
        "store_id": "S1",
        "category": "vip",
        "score": 9,
        "comment": "great staff",
    }
    for report in reports:
        assert (report["count"], report["average"], report["nps"], report["csat"]) == (
            1,
            9.0,
            100.0,
            100.0,
        )
    assert scores["latest"][0]["score"] == 9


async def test_wrong_signature_is_refused_and_nothing_is_stored(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    clock = ManualClock()
    async with running(create_app(surveys_settings(slate), clock)) as api:
        body = urlencode({"from": PHONE, "text": "STOP", "id": "in-x"}).encode()
        forged = signed(body, secret="not-the-secret", at=clock().timestamp())
        r = await api.post("/internal/v1/sms/inbound", content=body, headers=forged)
        stale = signed(body, at=clock().timestamp() - 3600)
        r_stale = await api.post("/internal/v1/sms/inbound", content=body, headers=stale)
        r_none = await api.post("/internal/v1/sms/inbound", content=body)
    db = mongo[slate.db_name("surveys")]
    assert (r.status_code, r_stale.status_code, r_none.status_code) == (401, 401, 401)
    assert "signature" in r.json()["detail"]
    assert await db.answers.count_documents({}) == 0
    assert await db.opt_outs.count_documents({}) == 0


async def test_reply_from_an_unknown_phone_is_stored_as_unmatched(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    clock = ManualClock()
    async with running(create_app(surveys_settings(slate), clock)) as api:
        body = urlencode({"from": "+4917000000", "text": "10", "id": "in-u"}).encode()
        r = await api.post(
            "/internal/v1/sms/inbound", content=body, headers=signed(body, at=clock().timestamp())
        )
    assert r.status_code == 200
    assert r.json()["status"] == "unmatched"
    stored = await mongo[slate.db_name("surveys")].answers.find_one({"_id": "in-u"})
    assert stored is not None and stored["status"] == "unmatched" and stored["text"] == "10"


async def test_asyncapi_names_what_surveys_consumes_and_publishes(slate: Slate) -> None:
    async with running(create_app(surveys_settings(slate), ManualClock())) as api:
        doc = (await api.get("/asyncapi.json")).json()
    addresses = {ch["address"] for ch in doc["channels"].values()}
    wanted = ["purchase.recorded", "complaint.filed", "survey.requested", "survey.answered"]
    assert {slate.topic(t) for t in wanted} <= addresses
