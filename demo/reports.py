"""What the demo waits for at the end: every report route of the gateway answering data.

Reports are read models fed by events, so they fill a little after the last event;
each check says whether a report has what a newcomer should see. Loyalty's month
reports are asked for the months the demo's back-dated events fall in: by default they
answer today's month, which on the 1st has next to no sales yet.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from demo.gateway import Gateway

Say = Callable[[str], None]


def categories_ok(body: Any) -> bool:
    return any(int(row.get("purchases", 0)) for row in body.get("categories", []))


def weekly_nps_ok(body: Any) -> bool:
    return sum(1 for week in body.get("weeks", []) if week.get("count")) >= 2


def employees_ok(body: Any) -> bool:
    return body.get("best_employee") is not None


def employee_sales_ok(body: Any) -> bool:
    return bool(body.get("employees"))


def nps_ok(body: Any) -> bool:
    return bool(body.get("count"))


def trends_ok(body: Any) -> bool:
    return isinstance(body, list) and any(line.get("rising") for line in body)


# route -> what "has data" means for it
REPORTS: dict[str, Callable[[Any], bool]] = {
    "/api/v1/reports/categories": categories_ok,
    "/api/v1/reports/employee-sales": employee_sales_ok,
    "/api/v1/reports/nps": nps_ok,
    "/api/v1/reports/nps/weekly": weekly_nps_ok,
    "/api/v1/reports/nps/breakdown": bool,
    "/api/v1/reports/employees": employees_ok,
    "/api/v1/reports/complaint-trends": trends_ok,
}


def months_of(start: datetime, end: datetime) -> list[str]:
    """`YYYY-MM` of every month from `start` to `end`, oldest first. A day before
    `start` too: a first day's opening hours (business time zone) may lie before it."""
    month, last = (start - timedelta(days=1)).replace(day=1), end.replace(day=1)
    found = []
    while month.date() <= last.date():
        found.append(f"{month:%Y-%m}")
        month = (month + timedelta(days=32)).replace(day=1)
    return found


def questions(route: str, months: list[str]) -> list[dict[str, str]]:
    """The query strings a route is asked with; its data is there if one answers it."""
    if route == "/api/v1/reports/employee-sales":
        return [{"month": m} for m in reversed(months)]  # newest first
    if route == "/api/v1/reports/categories":
        return [{"from": months[0], "to": months[-1]}]
    return [{}]


async def reports_state(gw: Gateway, months: list[str]) -> dict[str, bool]:
    """Whether each report has data; loyalty's month reports over `months`."""

    async def one(route: str) -> bool:
        for params in questions(route, months):
            r = await gw.call("GET", route, params=params)
            if r.status_code == 200 and REPORTS[route](r.json()):
                return True
        return False

    found = await asyncio.gather(*(one(route) for route in REPORTS))
    return dict(zip(REPORTS, found, strict=True))


async def wait_for_reports(
    gw: Gateway, say: Say, months: list[str], timeout_s: float = 120
) -> dict[str, bool]:
    """Every report's state once all have data (or when `timeout_s` is up); `months`:
    those the demo's events fall in (`months_of`)."""
    deadline = time.monotonic() + timeout_s
    state = await reports_state(gw, months)
    while not all(state.values()) and time.monotonic() < deadline:
        await asyncio.sleep(2)
        state = await reports_state(gw, months)
    missing = [route for route, ok in state.items() if not ok]
    say("every report has data" if not missing else f"reports still empty: {', '.join(missing)}")
    return state
