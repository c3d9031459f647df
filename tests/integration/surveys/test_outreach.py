"""Greetings, win-back and the re-survey after a resolved complaint, on the real broker."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from shared.contracts.complaints import ComplaintFiled, ComplaintResolved
from shared.contracts.loyalty import BonusAccrued, ClientAtRisk
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
from tests.support.sms_provider import FakeSmsProvider

PHONE = "+4930555003"


async def texts(provider: FakeSmsProvider, count: int) -> list[str]:
    async def arrived() -> list[str] | None:
        found = provider.texts_to(PHONE)
        return found if len(found) >= count else None

    result: list[str] = await eventually(arrived)
    return result


async def test_birthday_bonus_is_greeted_by_sms_naming_the_bonus(slate: Slate) -> None:
    bonus = BonusAccrued(
        client_id="c-1", amount=Decimal("10.00"), currency="EUR", reason="birthday",
        balance=Decimal("25.00"), ledger_entry_id="L-1",
    )  # fmt: skip
    async with surveys_app(slate, ManualClock()) as (provider, api):
        # Loyalty's bonus may arrive before surveys applied the registration: it waits.
        await publish(slate, bonus)
        await publish(slate, bonus)  # a redelivery greets once
        await publish(slate, registered("c-1", PHONE, name="Grace", language="de"))
        got = await texts(provider, 1)
        messages = (await api.get("/internal/v1/clients/c-1/messages")).json()
    assert got == ["Alles Gute zum Geburtstag, Grace! 10.00 EUR Bonus warten auf Sie."]
    assert [m["kind"] for m in messages] == ["birthday"]


async def test_win_back_offer_waits_for_the_end_of_quiet_hours(slate: Slate) -> None:
    clock = ManualClock(datetime(2026, 11, 23, 23, 0, tzinfo=UTC))
    at_risk = ClientAtRisk(
        client_id="c-1", last_purchase_at=datetime(2026, 9, 1, tzinfo=UTC),
        median_gap_days=14, overdue_days=70,
    )  # fmt: skip
    async with surveys_app(slate, clock) as (provider, api):
        await publish(slate, registered("c-1", PHONE, name="Alan"))
        await known(api, "c-1")
        await publish(slate, at_risk)

        async def planned() -> Any:
            messages = (await api.get("/internal/v1/clients/c-1/messages")).json()
            return messages[0] if messages else None

        waiting = await eventually(planned)
        assert (waiting["status"], provider.received) == ("scheduled", [])
        assert waiting["send_after"].startswith("2026-11-24T08:00")
        clock.advance(hours=9)
        got = await texts(provider, 1)
    assert got == ["We miss you, Alan! Come back this week: a surprise is waiting."]


async def test_name_day_job_greets_each_client_once(slate: Slate) -> None:
    clock = ManualClock(datetime(2026, 12, 6, 6, 0, tzinfo=UTC))  # before the daily run
    async with surveys_app(slate, clock) as (provider, api):
        await publish(slate, registered("c-1", PHONE, name="Nikolaus", name_day="12-06"))
        await publish(slate, registered("c-2", "+4930555099", name="Ada", name_day="12-10"))
        await known(api, "c-1")
        await known(api, "c-2")
        clock.advance(hours=4)  # 10:00, after quiet hours
        first = await api.post("/internal/v1/jobs/name-days", params={"day": "2026-12-06"})
        again = await api.post("/internal/v1/jobs/name-days", params={"day": "2026-12-06"})
        got = await texts(provider, 1)
    assert first.json() == {"day": "2026-12-06", "planned": 1}
    assert again.json()["planned"] == 1  # the same message, not a second one
    assert got == ["Happy name day, Nikolaus! We are glad to have you with us."]
    assert len(provider.received) == 1


async def test_resolving_a_case_opened_from_a_low_score_sends_a_re_survey(slate: Slate) -> None:
    clock = ManualClock()
    async with surveys_app(slate, clock) as (provider, api):
        await publish(slate, registered("c-1", PHONE))
        await known(api, "c-1")
        await publish(slate, purchase("p-1", {"client_id": "c-1"}, store_id="S2"))
        survey = await message_of(api, "c-1", "sent")
        body = urlencode({"from": PHONE, "text": "2 rude", "id": "in-low"}).encode()
        await api.post(
            "/internal/v1/sms/inbound", content=body, headers=signed(body, at=clock().timestamp())
        )
        filed = ComplaintFiled(
            complaint_id="k-1", client_id="c-1", kind="complaint", channel="survey",
            topic="service_quality", priority="normal", employee_id="E7",
            survey_id=survey["id"],
        )  # fmt: skip
        await publish(slate, filed)
        await publish(
            slate,
            ComplaintResolved(complaint_id="k-1", client_id="c-1", resolution="apology"),
        )
        got = await texts(provider, 2)
    assert got[1] == "We have worked on your concern. How would you rate S2 now, from 0 to 10?"
