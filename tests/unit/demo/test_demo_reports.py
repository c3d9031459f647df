"""The demo's last wait asks loyalty's month reports for the months its back-dated
events fall in, whatever today's date (on the 1st, today's month has no sales yet)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import httpx

from demo.gateway import Gateway
from demo.pos import anonymous_trade
from demo.reports import REPORTS, months_of, reports_state

TODAY = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)  # the 1st: December has no sales yet
SOLD_IN = {"2026-11"}


class Loyalty:
    """The gateway as the demo sees it: every report has data, loyalty's month reports
    only for November; asked without a month they answer today's (loyalty's default)."""

    async def call(self, method: str, path: str, params: dict[str, str] | None = None) -> Any:
        params, today = params or {}, f"{TODAY:%Y-%m}"
        if path == "/api/v1/reports/employee-sales":
            month = params.get("month", today)
            body: Any = {"employees": [{"employee_id": "e1"}] if month in SOLD_IN else []}
        elif path == "/api/v1/reports/categories":
            asked = {params.get("from", today), params.get("to", today)}
            sold = bool(asked & SOLD_IN) or params.get("from", today) < min(SOLD_IN)
            body = {"categories": [{"purchases": 3 if sold else 0}]}
        else:
            body = {"count": 1, "weeks": [{"count": 1}] * 2, "best_employee": "e1"}
            body = [{"rising": True}] if path.endswith("complaint-trends") else body
        return httpx.Response(200, json=body)


async def test_on_the_first_of_a_month_the_reports_of_the_demo_days_have_data() -> None:
    start = TODAY - timedelta(days=30)
    state = await reports_state(cast(Gateway, Loyalty()), months_of(start, TODAY))
    assert state == dict.fromkeys(REPORTS, True)


def test_the_months_asked_hold_every_demo_sale() -> None:
    days = (TODAY, datetime(2026, 11, 27, 15, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    for today in days:
        trade = anonymous_trade(30, today, seed=1)
        sold = {f"{e.occurred_at.astimezone(UTC):%Y-%m}" for e in trade}
        assert sold <= set(months_of(today - timedelta(days=30), today)), today
