"""The console shows times as a person reads them, in the business's time zone, and a
bonus ledger row names the purchase (id, store, date), not the event that carried it.

Registry, loyalty, complaints and the gateway run as real processes; the gateway is set
to GATEWAY_TIMEZONE=Asia/Tokyo (UTC+9 all year, so the expected local times are fixed).
A POS purchase goes to Kafka with a UTC time with microseconds; staff open the card,
the complaints board, the audit log and the DLQ page in Debian's Chromium.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.conftest import Slate
from tests.e2e.test_console_browser import CHROMIUM, CHROMIUM_ARGS
from tests.integration.loyalty.pos import purchase
from tests.support.infra import ROOT
from tests.support.kafka import eventually, produce
from tests.support.processes import ServiceProcess, free_port
from tests.support.stack import gateway_over
from tests.support.staff import ADMIN_PASSWORD, ADMIN_USERNAME, login

SHOTS = ROOT / "test-artifacts" / "console" / "readable"
RAW_ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\.\d{6}")  # what staff must never see
READABLE = re.compile(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}")  # 23 Nov 2026, 19:15


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


async def shown(page: Page, path: str, name: str) -> str:
    response = await page.goto(path)
    assert response is not None and response.status == 200, path
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    return await page.locator("main, body").first.inner_text()


async def client_with_a_purchase_and_a_complaint(
    slate: Slate, api: httpx.AsyncClient, complaints: ServiceProcess
) -> tuple[str, dict[str, Any]]:
    r = await api.post("/api/v1/clients", json={"name": "Ada Lovelace"})
    assert r.status_code == 201, r.text
    client = r.json()
    sale = purchase("P-1001", card=client["card_number"], store="S7", at="2026-11-23T10:15:00.489Z")
    await produce(
        slate.infra.kafka, slate.topic("purchase.recorded"), json.dumps(sale).encode(),
        key=client["card_number"].encode(),
    )  # fmt: skip

    async def ledger() -> Any:
        found = await api.get(f"/api/v1/clients/{client['id']}/ledger")
        return found.status_code == 200 and found.json().get("entries")

    async with httpx.AsyncClient(base_url=complaints.url) as internal:

        async def known() -> bool:
            found = await internal.get(f"/internal/v1/clients/{client['id']}")
            return found.status_code == 200

        await eventually(ledger)
        await eventually(known)
    case = {"client_id": client["id"], "kind": "complaint", "channel": "phone",
            "topic": "waiting_time", "text": "Waited at the till"}  # fmt: skip
    assert (await api.post("/api/v1/complaints", json=case)).status_code == 201
    return str(client["id"]), sale


async def test_console_dates_read_in_the_business_zone_and_ledger_rows_name_the_purchase(
    slate: Slate, spawn: Callable[..., ServiceProcess], browser: Browser
) -> None:
    registry, loyalty = spawn("registry"), spawn("loyalty")
    complaints = spawn("complaints", {"COMPLAINTS_REGISTRY_URL": registry.url})
    nobody = f"http://127.0.0.1:{free_port()}"  # surveys is not needed here
    gateway = gateway_over(
        spawn, registry, loyalty, complaints,
        GATEWAY_TIMEZONE="Asia/Tokyo", GATEWAY_SURVEYS_URL=nobody,
    )  # fmt: skip
    for p in (registry, loyalty, complaints, gateway):
        p.wait_healthy(path="/healthz")
    for p in (registry, loyalty, complaints):
        p.wait_healthy()
    async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as api:
        api.headers.update(await login(api))
        client_id, sale = await client_with_a_purchase_and_a_complaint(slate, api, complaints)

    page = await browser.new_page(viewport={"width": 1024, "height": 768}, base_url=gateway.url)
    await page.goto("/console/")
    await page.get_by_label("Username").fill(ADMIN_USERNAME)
    await page.get_by_label("Password").fill(ADMIN_PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("heading", name="Find a client")).to_be_visible()

    card = await shown(page, f"/console/clients/{client_id}", "card")
    ledger = await page.locator("#ledger").inner_text()
    assert "P-1001 at S7" in ledger, ledger  # the purchase, where it was made
    assert "23 Nov 2026, 19:15" in ledger, ledger  # 10:15 UTC in Tokyo
    assert sale["event_id"] not in ledger and "purchase.recorded" not in ledger
    assert "Bonus earned" in ledger and "5.00" in ledger
    stamp = await page.locator("#ledger time").first.get_attribute("title")
    assert stamp == "23 Nov 2026, 19:15:00 JST"
    registered = await page.locator("#client-data dd").all_inner_texts()
    deadline = await page.locator("#complaints td").nth(3).inner_text()
    board = await shown(page, "/console/complaints", "complaints")
    audit = await shown(page, "/console/admin/audit", "audit")

    assert any(READABLE.fullmatch(text) for text in registered), registered
    assert READABLE.fullmatch(deadline), deadline
    assert READABLE.search(board) and READABLE.search(audit)
    for name, text in [("card", card), ("complaints", board), ("audit", audit)]:
        assert not RAW_ISO.search(text), f"{name} shows a raw timestamp: {RAW_ISO.search(text)}"
