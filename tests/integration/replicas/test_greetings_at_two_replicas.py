"""Two surveys replicas (two apps on one database, one clock) run the name-day job
(claimed per hour) and the SMS dispatcher at once: one greeting SMS per client."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime

from services.surveys.main import create_app
from tests.conftest import Slate, running
from tests.integration.surveys.support import (
    ManualClock,
    known,
    publish,
    registered,
    surveys_settings,
)
from tests.support.kafka import eventually
from tests.support.sms_provider import fake_sms_provider

PHONES = [f"+49305551{n:02d}" for n in range(6)]


async def test_two_surveys_replicas_send_one_name_day_greeting_per_client(slate: Slate) -> None:
    clock = ManualClock(datetime(2026, 12, 6, 6, 0, tzinfo=UTC))  # before the daily run
    async with fake_sms_provider() as provider:
        settings = surveys_settings(slate, provider.url)
        async with (
            running(create_app(settings, clock)) as api,
            running(create_app(settings, clock)),
        ):
            for n, phone in enumerate(PHONES):  # five Nikolaus, one whose day is later
                day = "12-06" if n < 5 else "12-10"
                await publish(slate, registered(f"c-{n}", phone, name="Nikolaus", name_day=day))
            for n in range(len(PHONES)):
                await known(api, f"c-{n}")
            clock.advance(hours=4)  # 10:00: both replicas' dispatchers run the daily job

            async def five_sent() -> bool:
                return len(provider.received) >= 5

            await eventually(five_sent, timeout_s=30)
            await asyncio.sleep(2)  # both dispatchers tick ~20 times more meanwhile
            clock.advance(hours=1)  # the next hour's run plans the same greetings again
            await asyncio.sleep(2)
    greeted = Counter(phone for phone in PHONES for _ in provider.texts_to(phone))
    assert greeted == Counter(PHONES[:5])  # once each; the sixth's day is later
