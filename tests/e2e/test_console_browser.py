"""The staff console in a real browser (Debian's Chromium, driven by Playwright).

A front-desk operator's morning: log in, register a client through the form, find
them again by the phone typed in another format, open the card, file a complaint.
Then loyalty goes down and the card still renders, saying loyalty is unavailable.
Screenshots of every page land in test-artifacts/console/ (gitignored).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.support.infra import ROOT
from tests.support.processes import ServiceProcess
from tests.support.stack import whole_stack
from tests.support.staff import ADMIN_PASSWORD, ADMIN_USERNAME

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = ROOT / "test-artifacts" / "console"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


async def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def test_front_desk_registers_finds_and_files_a_complaint_in_the_browser(
    spawn: Callable[..., ServiceProcess], browser: Browser
) -> None:
    stack = whole_stack(spawn)
    loyalty, gateway = stack.loyalty, stack.gateway
    expect.set_options(timeout=20_000)
    # a tablet at the front desk
    page = await browser.new_page(viewport={"width": 1024, "height": 768}, base_url=gateway.url)

    await page.goto("/console/")
    await expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    await shot(page, "01-login")
    await page.get_by_label("Username").fill(ADMIN_USERNAME)
    await page.get_by_label("Password").fill(ADMIN_PASSWORD)
    await page.get_by_role("button", name="Log in").click()
    await expect(page.get_by_role("heading", name="Find a client")).to_be_visible()

    await page.goto("/console/register")
    await page.get_by_label("Name").fill("Grace Hopper")
    await page.get_by_label("Phone").fill("not a phone")
    await page.get_by_role("button", name="Register").click()
    await expect(page.locator("#phone-error")).to_be_visible()  # inline message on the field
    await shot(page, "02-register-invalid")
    await page.get_by_label("Phone").fill("+49 30 5550199")
    await page.get_by_role("button", name="Register").click()
    await expect(page.get_by_role("heading", name="Grace Hopper")).to_be_visible()
    card_url = page.url

    await page.goto("/console/")
    await page.get_by_label("Card number, phone, email or name").press_sequentially("030 555 0199")
    result = page.locator("#results a", has_text="Grace Hopper")
    await expect(result).to_be_visible()  # found as you type, by the phone in another format
    await shot(page, "03-search")
    await result.click()
    await expect(page.get_by_role("heading", name="Grace Hopper")).to_be_visible()
    assert page.url == card_url
    await expect(page.locator("#loyalty")).to_contain_text("0.00")
    await expect(page.locator("#scores")).to_contain_text("No answers yet")
    await shot(page, "04-card")

    await page.get_by_role("link", name="Edit").click()
    await page.get_by_label("Category").fill("vip")
    await page.get_by_label("Reason for the change").fill("spends a lot")
    await page.get_by_role("button", name="Save").click()
    await expect(page.locator("h1 .badge")).to_have_text("vip")

    await page.get_by_text("File a complaint").click()
    await page.get_by_label("Topic").select_option("waiting_time")
    await page.get_by_label("What happened").fill("Waited 40 minutes at the desk")
    await page.get_by_role("button", name="File complaint").click()
    await expect(page.get_by_role("status")).to_contain_text("filed")
    await expect(page.locator("#complaints")).to_contain_text("waiting_time")
    await shot(page, "05-card-with-complaint")

    await page.goto("/console/complaints")
    await expect(page.locator("table")).to_contain_text("waiting_time")
    await shot(page, "06-complaints-board")
    for path, name in [
        ("/console/reports", "07-reports"),
        ("/console/admin/dlq", "08-dlq"),
        ("/console/admin/audit", "09-audit"),
    ]:
        response = await page.goto(path)
        assert response is not None and response.status == 200, path
        await shot(page, name)

    loyalty.stop()
    await page.goto(card_url)
    await expect(page.get_by_role("heading", name="Grace Hopper")).to_be_visible()
    await expect(page.locator("#loyalty")).to_contain_text("Loyalty is unavailable")
    await expect(page.locator("#complaints")).to_contain_text("waiting_time")  # the rest stays
    await shot(page, "10-card-loyalty-down")
    assert sorted(p.name for p in SHOTS.glob("*.png"))[-1] == "10-card-loyalty-down.png"
