"""What the demo waits for at the end: every report route of the gateway answering data.

Reports are read models fed by events, so they fill a little after the last event;
each check says whether a report has what a newcomer should see.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
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


async def reports_state(gw: Gateway) -> dict[str, bool]:
    async def one(route: str) -> bool:
        r = await gw.call("GET", route)
        return r.status_code == 200 and REPORTS[route](r.json())

    found = await asyncio.gather(*(one(route) for route in REPORTS))
    return dict(zip(REPORTS, found, strict=True))


async def wait_for_reports(gw: Gateway, say: Say, timeout_s: float = 120) -> dict[str, bool]:
    """Every report's state once all have data (or when `timeout_s` is up)."""
    deadline = time.monotonic() + timeout_s
    state = await reports_state(gw)
    while not all(state.values()) and time.monotonic() < deadline:
        await asyncio.sleep(2)
        state = await reports_state(gw)
    missing = [route for route, ok in state.items() if not ok]
    say("every report has data" if not missing else f"reports still empty: {', '.join(missing)}")
    return state
