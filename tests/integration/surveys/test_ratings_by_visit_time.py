"""A survey rates a visit: its answer counts in the visit's week and month, however late.

A POS may publish a visit hours or days after it happened (an offline till, a
back-filled day; `clientele demo` back-dates a whole month): NPS by week and the
employee of the month must not all land in the week the answers came in.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

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

PHONE = "+4930555061"


def week(at: datetime) -> str:
    year, number, _ = at.isocalendar()
    return f"{year}-W{number:02d}"


async def test_a_late_answer_counts_in_the_week_and_month_of_the_visit(slate: Slate) -> None:
    now = datetime.now(UTC)  # survey.answered carries the wall clock's time
    clock, visit = ManualClock(now), now - timedelta(days=40)  # weeks and a month before
    # No quiet hours: the clock is the wall clock's, and from 21:00 UTC the survey was
    # skipped as `quiet_hours` (the test failed every evening).
    no_quiet_hours = {"quiet_hours_start": 0, "quiet_hours_end": 0}
    async with surveys_app(slate, clock, timezone="UTC", **no_quiet_hours) as (_provider, api):
        await publish(slate, registered("c-late", PHONE))
        await known(api, "c-late")
        await publish(slate, purchase("p-late", {"phone": PHONE}, occurred_at=visit))
        await message_of(api, "c-late", "sent")
        body = urlencode({"from": PHONE, "text": "9 fine", "id": "in-late"}).encode()
        answered = await api.post(
            "/internal/v1/sms/inbound", content=body, headers=signed(body, at=clock.now.timestamp())
        )
        assert answered.json()["status"] == "answered", answered.text

        async def counted(period: str) -> int:
            r = await api.get(f"/internal/v1/reports/nps?subject=employee:E7&period={period}")
            return int(r.json()["count"])

        periods = (week(visit), f"{visit:%Y-%m}", week(now), f"{now:%Y-%m}")

        async def counted_in_a_week_and_a_month() -> bool:  # written one after the other
            found = [await counted(p) for p in periods]
            return found[0] + found[2] > 0 and found[1] + found[3] > 0

        await eventually(counted_in_a_week_and_a_month)
        by_period = [await counted(p) for p in periods]
    assert by_period == [1, 1, 0, 0], dict(zip(periods, by_period, strict=True))


async def test_a_complaint_counts_against_the_employee_in_the_month_it_was_received(
    slate: Slate,
) -> None:
    """A letter received weeks ago and filed today belongs to the month it came in."""
    now = datetime.now(UTC)
    received = now - timedelta(days=40)
    letter = ComplaintFiled(
        complaint_id="k-letter", client_id="c-letter", kind="complaint", channel="email",
        topic="staff_behaviour", priority="normal", employee_id="E9", opened_at=received,
    )  # fmt: skip
    async with surveys_app(slate, ManualClock(now), timezone="UTC") as (_provider, api):
        await publish(slate, letter)

        async def complaints_in(month: str) -> int:
            report = (await api.get(f"/internal/v1/reports/employees?month={month}")).json()
            return sum(e["complaints"] for e in report["employees"] if e["employee_id"] == "E9")

        async def counted() -> bool:
            return (
                await complaints_in(f"{received:%Y-%m}") + await complaints_in(f"{now:%Y-%m}") > 0
            )

        await eventually(counted)
        by_month = [await complaints_in(f"{received:%Y-%m}"), await complaints_in(f"{now:%Y-%m}")]
    assert by_month == [1, 0]
