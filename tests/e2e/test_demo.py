"""`clientele demo` against the whole stack fills every report and the console's charts.

Every service is a real process on the real broker and store; the demo reaches them only
through the gateway, Kafka and the signed SMS webhook. Screenshots of the console's
reports page land in test-artifacts/demo/ (gitignored).
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import async_playwright, expect

from demo.world import phone_of
from tests.conftest import Slate
from tests.e2e.test_console_browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.infra import ROOT
from tests.support.kafka import read_topic
from tests.support.processes import ServiceProcess
from tests.support.stack import whole_stack
from tests.support.staff import ADMIN_PASSWORD, ADMIN_USERNAME, admin_env, login

SHOTS = ROOT / "test-artifacts" / "demo"
REPORTS = "/api/v1/reports/"
SECRET = "demo-test-webhook-secret"
# What the demo relies on under `make run` too: surveys go out at once, at any hour.
SURVEYS_ENV = {
    "SURVEYS_SEND_DELAY_S": "0",
    "SURVEYS_QUIET_HOURS_START": "0",
    "SURVEYS_QUIET_HOURS_END": "0",
    "SURVEYS_DISPATCH_INTERVAL_S": "1",
    "SURVEYS_WEBHOOK_SECRET": SECRET,
}


def has_data(route: str, body: Any) -> bool:
    """Non-empty data, as a newcomer would read each report."""
    match route:
        case "categories":
            return sum(int(c["purchases"]) for c in body["categories"]) > 0
        case "employee-sales" | "employees":
            return len(body["employees"]) >= 2
        case "nps":
            return int(body["count"]) > 0
        case "nps/weekly":
            return sum(1 for w in body["weeks"] if w["count"]) >= 2
        case "nps/breakdown":
            return len(body) >= 2
        case "complaint-trends":
            return any(line["rising"] for line in body)
        case "clients/{client_id}":
            return int(body["lifetime"]["purchases"]) > 0 and body["clv"] != "0.00"
    raise AssertionError(f"no check for {route}")


async def a_demo_client_who_bought(api: httpx.AsyncClient, auth: dict[str, str]) -> str:
    for index in range(30):
        found = await api.get("/api/v1/clients", params={"q": phone_of(1, index)}, headers=auth)
        client_id = found.json()["items"][0]["id"]
        report = await api.get(f"/api/v1/reports/clients/{client_id}", headers=auth)
        if int(report.json()["lifetime"]["purchases"]):
            return str(client_id)
    raise AssertionError("none of the first 30 demo clients bought anything")


def demo_months(route: str) -> dict[str, str]:
    """Loyalty's month reports asked for the demo's own days, whatever today's date: on
    the 1st of a month the current one has next to no sales yet. (Surveys' employee of
    the month picks the latest month with a ranking by itself: docs/surveys.md.)"""
    now = datetime.now(UTC)
    month = {n: (now - timedelta(days=n)).strftime("%Y-%m") for n in (0, 4, 7)}
    asked = {
        "categories": {"from": month[7], "to": month[0]},
        "employee-sales": {"month": month[4]},
    }
    return asked.get(route, {})


async def every_report(api: httpx.AsyncClient, auth: dict[str, str]) -> dict[str, Any]:
    """Each report route the gateway's OpenAPI lists, answered (a new one needs a check)."""
    spec = (await api.get("/openapi.json", headers=auth)).json()
    routes = sorted(p.removeprefix(REPORTS) for p in spec["paths"] if p.startswith(REPORTS))
    assert len(routes) >= 8, routes
    client_id = await a_demo_client_who_bought(api, auth)
    bodies = {}
    for route in routes:
        path = REPORTS + route.replace("{client_id}", client_id)
        answer = await api.get(path, params=demo_months(route), headers=auth)
        assert answer.status_code == 200, (route, answer.text)
        bodies[route] = answer.json()
    return bodies


async def run_demo(gateway: str, slate: Slate, out: Path) -> tuple[int, str, float]:
    started = time.monotonic()
    env = {"PATH": str(Path(sys.executable).parent), "HOME": str(Path.home())}
    env |= admin_env() | {"SURVEYS_WEBHOOK_SECRET": SECRET}
    # A client whose survey was skipped (an open complaint, no budget) gets no SMS: the
    # demo waits for the others at most a minute, not its default ten.
    args = ["demo", "--days", "7", "--clients", "200", "--seed", "1", "--gateway", gateway]
    args += ["--survey-wait-s", "60"]
    args += ["--kafka", slate.infra.kafka, "--topic-prefix", slate.prefix]
    with out.open("wb") as log:
        proc = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "clientele"), *args, cwd=ROOT, env=env,
            stdout=log, stderr=log,
        )  # fmt: skip
        code = await asyncio.wait_for(proc.wait(), 420)  # 240 s ran out beside a bench run
    return code, await asyncio.to_thread(out.read_text), time.monotonic() - started


@pytest.mark.timeout(600)
async def test_demo_week_fills_every_report_route_and_the_console_charts(
    slate: Slate,
    spawn: Callable[..., ServiceProcess],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in SURVEYS_ENV.items():
        monkeypatch.setenv(name, value)  # the spawned surveys process reads them
    stack = whole_stack(spawn)
    code, printed, seconds = await run_demo(stack.gateway.url, slate, tmp_path / "demo.out")
    assert code == 0, printed[-3000:]
    assert "every report has data" in printed
    async with httpx.AsyncClient(base_url=stack.gateway.url, timeout=30) as api:
        auth = await login(api)
        bodies = await every_report(api, auth)
    empty = [r for r, body in bodies.items() if not has_data(r, body)]
    assert empty == [], {r: bodies[r] for r in empty}
    for topic in ("purchase.recorded", "purchase.returned", "survey.answered"):
        parked = await read_topic(
            slate.infra.kafka, slate.topic(f"{topic}.dlq"), expect=1, timeout_s=2
        )
        assert parked == [], [dict(r.headers) for r in parked]  # every demo event processable
    await console_charts(stack.gateway.url)
    print(f"{printed}\ndemo: {seconds:.0f} s")


async def console_charts(gateway: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 900}, base_url=gateway)
            await page.goto("/console/")
            await page.get_by_label("Username").fill(ADMIN_USERNAME)
            await page.get_by_label("Password").fill(ADMIN_PASSWORD)
            await page.get_by_role("button", name="Log in").click()
            await expect(page.get_by_role("heading", name="Find a client")).to_be_visible()
            await page.goto("/console/reports")
            await page.screenshot(path=str(SHOTS / "reports.png"), full_page=True)
            panels = page.locator("section.panel")
            assert await panels.count() == 4
            for n in range(4):
                panel = panels.nth(n)
                title = await panel.locator("h2").inner_text()
                bars = await panel.locator("svg.chart rect").count()
                assert bars >= 2, f"{title}: {bars} point(s)\n{await panel.inner_text()}"
            # Whatever today's date: the latest month with a ranking, and it says which.
            employees = panels.filter(has_text="Employee of the month")
            await expect(employees).to_contain_text("the latest month in which an employee")
            await page.goto("/console/complaints")
            await page.screenshot(path=str(SHOTS / "complaints.png"), full_page=True)
        finally:
            await browser.close()
