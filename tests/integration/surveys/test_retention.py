"""Retention: survey messages and answers older than the configured period are purged
by the service's scheduled job; younger ones and the scores stay."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from pymongo import AsyncMongoClient

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

PHONE = "+4930555077"


async def test_messages_and_answers_older_than_two_years_are_purged(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    clock = ManualClock()
    db = mongo[slate.db_name("surveys")]
    async with surveys_app(slate, clock, retention_interval_s=0.1) as (_provider, api):
        await publish(slate, registered("c-1", PHONE))
        await known(api, "c-1")
        await publish(slate, purchase("p-1", {"phone": PHONE}))
        old = await message_of(api, "c-1", "sent")
        body = urlencode({"from": PHONE, "text": "9 fine", "id": "in-1"}).encode()
        r = await api.post(
            "/internal/v1/sms/inbound", content=body, headers=signed(body, at=clock().timestamp())
        )
        assert r.status_code == 200 and r.json()["status"] == "answered", r.text

        async def rated() -> Any:
            return await db.ratings.count_documents({})

        ratings = await eventually(rated)
        clock.advance(days=729)  # within two years: the job keeps everything
        await publish(slate, purchase("p-2", {"phone": PHONE}))

        async def second_message() -> Any:
            return await db.messages.count_documents({}) == 2

        await eventually(second_message)
        assert await db.answers.count_documents({}) == 1
        assert await db.messages.find_one({"_id": old["id"]}) is not None

        clock.advance(days=2)  # the first message and its answer are now 731 days old

        async def purged() -> Any:
            return await db.messages.find_one({"_id": old["id"]}) is None

        await eventually(purged, timeout_s=10)
        assert await db.answers.count_documents({}) == 0
        assert await db.messages.count_documents({}) == 1  # the younger one stays
        assert await db.ratings.count_documents({}) >= ratings > 0  # counts stay


def test_retention_defaults_are_two_years_checked_daily() -> None:
    from services.surveys.config import SurveysSettings

    settings = SurveysSettings()
    assert (settings.message_retention_days, settings.retention_interval_s) == (730, 86400)
