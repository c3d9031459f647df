"""Each contact rule blocks a real message, and the skipped message says why."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from pymongo import AsyncMongoClient

from shared.contracts.complaints import ComplaintFiled
from tests.conftest import Slate
from tests.integration.surveys.support import (
    ManualClock,
    known,
    message_of,
    publish,
    purchase,
    registered,
    signed,
    surveys_app,
)
from tests.support.kafka import eventually

PHONE = "+4930555002"


async def test_no_sms_consent_means_no_survey(slate: Slate) -> None:
    async with surveys_app(slate, ManualClock()) as (provider, api):
        await publish(slate, registered("c-1", PHONE, consent=False))
        await known(api, "c-1")
        await publish(slate, purchase("p-1", {"client_id": "c-1"}))
        skipped = await message_of(api, "c-1")
    assert (skipped["status"], skipped["reason"]) == ("skipped", "no_consent")
    assert provider.received == []


async def test_no_survey_in_quiet_hours(slate: Slate) -> None:
    late = ManualClock(datetime(2026, 11, 23, 22, 30, tzinfo=UTC))
    async with surveys_app(slate, late) as (provider, api):
        await publish(slate, registered("c-1", PHONE))
        await known(api, "c-1")
        await publish(slate, purchase("p-1", {"client_id": "c-1"}))
        skipped = await message_of(api, "c-1")
    assert (skipped["status"], skipped["reason"]) == ("skipped", "quiet_hours")
    assert provider.received == []


async def test_no_survey_while_the_client_has_an_open_complaint(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("surveys")]
    complaint = ComplaintFiled(
        complaint_id="k-1", client_id="c-1", kind="complaint", channel="phone",
        topic="rudeness", priority="normal", employee_id="E7",
    )  # fmt: skip
    async with surveys_app(slate, ManualClock()) as (provider, api):
        await publish(slate, registered("c-1", PHONE))
        await publish(slate, complaint)
        await known(api, "c-1")
        await eventually(lambda: db.complaints.find_one({"_id": "open:c-1", "ids": "k-1"}))
        await publish(slate, purchase("p-1", {"client_id": "c-1"}))
        skipped = await message_of(api, "c-1")
    assert (skipped["status"], skipped["reason"]) == ("skipped", "open_complaint")
    assert provider.received == []


async def test_the_contact_budget_caps_messages_per_client_per_30_days(slate: Slate) -> None:
    clock = ManualClock()
    async with surveys_app(slate, clock, contact_budget=1) as (provider, api):
        await publish(slate, registered("c-1", PHONE))
        await known(api, "c-1")
        await publish(slate, purchase("p-1", {"client_id": "c-1"}))
        await message_of(api, "c-1", "sent")
        clock.advance(days=29)
        await publish(slate, purchase("p-2", {"client_id": "c-1"}))
        second = await message_of(api, "c-1", "skipped")
        clock.advance(days=2)  # the first message has left the 30-day window
        await publish(slate, purchase("p-3", {"client_id": "c-1"}))

        async def third_sent() -> bool:
            return len(provider.received) == 2

        await eventually(third_sent)
    assert second["reason"] == "budget_exhausted"


async def test_a_client_who_replied_stop_gets_no_more_messages(slate: Slate) -> None:
    clock = ManualClock()
    async with surveys_app(slate, clock) as (provider, api):
        await publish(slate, registered("c-1", PHONE))
        await known(api, "c-1")
        body = urlencode({"from": PHONE, "text": "STOP", "id": "in-stop"}).encode()
        r = await api.post(
            "/internal/v1/sms/inbound", content=body, headers=signed(body, at=clock().timestamp())
        )
        assert r.json()["status"] == "opted_out"
        await publish(slate, purchase("p-1", {"client_id": "c-1"}))
        skipped = await message_of(api, "c-1")
    assert (skipped["status"], skipped["reason"]) == ("skipped", "opted_out")
    assert provider.received == []
