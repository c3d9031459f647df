"""Cases open from low survey scores and from staff; valuable clients escalate at once."""

from __future__ import annotations

from typing import Any

from services.complaints.main import create_app
from shared.contracts.registry import ClientRegistered
from shared.contracts.surveys import SurveyAnswered
from tests.conftest import Slate, running
from tests.integration.complaints.support import complaints_settings, publish
from tests.support.kafka import eventually, payloads, produce, read_topic


async def test_low_survey_score_opens_one_case_linked_to_the_employee(slate: Slate) -> None:
    low = SurveyAnswered(
        survey_id="sv-1",
        client_id="c-1",
        employee_id="E7",
        store_id="S1",
        score=2,
        comment="rude cashier",
    )
    again = SurveyAnswered(survey_id="sv-1", client_id="c-1", employee_id="E7", score=2)
    happy = SurveyAnswered(survey_id="sv-2", client_id="c-1", employee_id="E7", score=9)
    async with running(create_app(complaints_settings(slate))) as api:
        for event in (low, again, happy):
            await publish(slate, event)

        async def open_cases() -> Any:
            r = await api.get("/internal/v1/clients/c-1/complaints", params={"status": "open"})
            return r.json() if r.status_code == 200 and r.json() else None

        (case,) = await eventually(open_cases)
        filed = await read_topic(
            slate.infra.kafka, slate.topic("complaint.filed"), expect=2, timeout_s=3
        )
        board = (await api.get("/internal/v1/complaints", params={"sort": "deadline"})).json()
    assert case["employee_id"] == "E7"
    assert case["channel"] == "sms_survey"
    assert case["survey_id"] == "sv-1"
    assert case["text"] == "rude cashier"
    assert case["deadline"] == case["first_response_due"]
    # the relay may publish an event twice; consumers deduplicate on event_id
    unique = {e["event_id"]: e for e in payloads(filed)}.values()
    assert [e["survey_id"] for e in unique] == ["sv-1"]
    assert [item["id"] for item in board["items"]] == [case["id"]]


async def open_case(api: Any, client_id: str) -> dict[str, Any]:
    r = await api.post(
        "/internal/v1/complaints",
        json={
            "client_id": client_id,
            "kind": "complaint",
            "channel": "phone",
            "topic": "staff_behaviour",
            "text": "rude",
        },
        headers={"X-Actor": "staff-1"},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_vip_case_escalates_at_once_naming_the_manager_and_a_regular_one_does_not(
    slate: Slate,
) -> None:
    vip = ClientRegistered(client_id="vip-1", name="Ada", category="vip", manager_id="M-9")
    regular = ClientRegistered(client_id="reg-1", name="Bob", manager_id="M-9")
    async with running(create_app(complaints_settings(slate))) as api:
        for event in (vip, regular):
            await publish(slate, event)

        async def known(client_id: str) -> Any:
            return (await api.get(f"/internal/v1/clients/{client_id}")).status_code == 200

        await eventually(lambda: known("vip-1"))
        await eventually(lambda: known("reg-1"))
        vip_case = await open_case(api, "vip-1")
        regular_case = await open_case(api, "reg-1")
        escalated = await read_topic(
            slate.infra.kafka, slate.topic("complaint.escalated"), expect=2, timeout_s=5
        )
    assert vip_case["priority"] == "critical"
    assert "category:vip" in vip_case["priority_reasons"]
    assert vip_case["escalations"][0]["manager_id"] == "M-9"
    assert regular_case["priority"] == "normal"
    assert regular_case["escalations"] == []
    (event,) = {e["event_id"]: e for e in payloads(escalated)}.values()
    assert event["complaint_id"] == vip_case["id"]
    assert event["manager_id"] == "M-9"
    assert vip_case["history"][0]["actor"] == "staff-1"


async def test_a_topic_outside_the_taxonomy_is_a_422_naming_the_topics(slate: Slate) -> None:
    async with running(create_app(complaints_settings(slate))) as api:
        r = await api.post(
            "/internal/v1/complaints",
            json={"client_id": "c", "channel": "phone", "topic": "weather"},
        )
    assert r.status_code == 422
    assert "weather" in r.json()["detail"]
    assert "staff_behaviour" in r.json()["topics"]


async def test_an_impossible_survey_score_is_parked_and_the_next_answer_opens_a_case(
    slate: Slate,
) -> None:
    topic = slate.topic(SurveyAnswered.TOPIC)
    async with running(create_app(complaints_settings(slate))) as api:
        await produce(
            slate.infra.kafka,
            topic,
            b'{"survey_id": "sv-x", "client_id": "c-5", "score": 11}',
            key=b"c-5",
        )
        await publish(slate, SurveyAnswered(survey_id="sv-y", client_id="c-5", score=1))

        async def opened() -> Any:
            r = await api.get("/internal/v1/clients/c-5/complaints")
            return r.json() or None

        (case,) = await eventually(opened)
        parked = await read_topic(slate.infra.kafka, topic + ".dlq", expect=1)
    assert case["survey_id"] == "sv-y"
    assert b"score" in dict(parked[0].headers)["x-dlq-reason"]
