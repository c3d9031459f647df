"""The HTTP SMS adapter against a fake provider server: retries, backoff, recorded failures."""

from __future__ import annotations

from services.surveys.dispatch.providers import HttpProvider
from services.surveys.main import create_app
from tests.conftest import Slate, running
from tests.integration.surveys.support import (
    ManualClock,
    known,
    message_of,
    publish,
    purchase,
    registered,
    surveys_settings,
)
from tests.support.processes import free_port
from tests.support.sms_provider import fake_sms_provider


def adapter(url: str, retries: int = 2) -> HttpProvider:
    return HttpProvider(url, "acme", "s3cret", "Shop", 1.0, retries, 0.01)


async def test_a_busy_provider_is_retried_and_the_failures_are_kept() -> None:
    async with fake_sms_provider() as provider:
        provider.fail_next = [503, 429]
        sms = adapter(provider.url)
        result = await sms.send("+4930555004", "hello", "ref-1")
        await sms.close()
    assert result.ok and result.provider_id == "fake-1"
    assert [f.split(":")[0] for f in result.failures] == ["HTTP 503", "HTTP 429"]
    assert provider.received[0]["user"] == "acme"
    assert provider.received[0]["reference"] == "ref-1"


async def test_a_refused_message_is_not_retried() -> None:
    async with fake_sms_provider() as provider:
        provider.fail_next = [400]
        sms = adapter(provider.url)
        result = await sms.send("+4930555004", "hello", "ref-2")
        await sms.close()
    assert not result.ok
    assert provider.attempts == 1
    assert result.failures[0].startswith("HTTP 400")


async def test_an_unreachable_provider_fails_after_the_retries() -> None:
    sms = adapter(f"http://127.0.0.1:{free_port()}/sms", retries=1)
    result = await sms.send("+4930555004", "hello", "ref-3")
    await sms.close()
    assert not result.ok and len(result.failures) == 2
    assert "ConnectError" in result.failures[0]


async def test_a_survey_the_provider_never_took_is_recorded_as_failed_and_frees_the_budget(
    slate: Slate,
) -> None:
    async with fake_sms_provider() as provider:
        provider.fail_next = [500, 500, 500]  # the first message's three attempts
        settings = surveys_settings(slate, provider.url, contact_budget=1)
        async with running(create_app(settings, ManualClock())) as api:
            await publish(slate, registered("c-1", "+4930555004"))
            await known(api, "c-1")
            await publish(slate, purchase("p-1", {"client_id": "c-1"}))
            failed = await message_of(api, "c-1", "failed")
            await publish(slate, purchase("p-2", {"client_id": "c-1"}))
            sent = await message_of(api, "c-1", "sent")
    assert failed["reason"] == "provider_error"
    assert len(failed["failures"]) == 3
    assert sent["id"] != failed["id"]  # the failed one did not use up the budget
