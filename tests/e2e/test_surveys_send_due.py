"""`clientele surveys send-due` sends what is due now through the running service.

Surveys is a real process on the real store, its periodic dispatcher slowed to once an
hour so only the command sends; the SMS provider is the fake HTTP provider.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

import httpx

from shared.contracts.base import Event
from tests.conftest import Slate
from tests.integration.surveys.support import publish_all, purchase, registered
from tests.support.infra import ROOT
from tests.support.kafka import eventually
from tests.support.processes import ServiceProcess
from tests.support.sms_provider import fake_sms_provider

CLIENTS = {"c-due-1": "+4930555101", "c-due-2": "+4930555102", "c-due-3": "+4930555103"}


async def clientele(*args: str) -> tuple[int, str]:
    """The installed `clientele` command, as an operator runs it."""
    command = str(Path(sys.executable).parent / "clientele")
    proc = await asyncio.create_subprocess_exec(
        command, *args, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    return await proc.wait(), out.decode()


async def test_send_due_sends_every_due_survey_once_with_progress_and_a_summary(
    slate: Slate, spawn: Callable[..., ServiceProcess]
) -> None:
    async with fake_sms_provider() as provider:
        surveys = spawn(
            "surveys",
            {
                "CLIENTELE_TOPIC_PARTITIONS": "1",
                "SURVEYS_SMS_PROVIDER": "http",
                "SURVEYS_SMS_HTTP_URL": provider.url,
                "SURVEYS_SEND_DELAY_S": "0",
                "SURVEYS_QUIET_HOURS_START": "0",
                "SURVEYS_QUIET_HOURS_END": "0",
                "SURVEYS_DISPATCH_INTERVAL_S": "3600",  # only the command sends
            },
        )
        surveys.wait_healthy()
        events: list[Event] = [registered(c, phone, name="Ada") for c, phone in CLIENTS.items()]
        events += [
            purchase(f"pos-due-{n}", {"phone": phone}) for n, phone in enumerate(CLIENTS.values())
        ]
        await publish_all(slate, events)
        async with httpx.AsyncClient(base_url=surveys.url, timeout=10) as internal:

            async def all_scheduled() -> bool:
                for client_id in CLIENTS:
                    messages = await internal.get(f"/internal/v1/clients/{client_id}/messages")
                    if [m["status"] for m in messages.json()] != ["scheduled"]:
                        return False
                return True

            await eventually(all_scheduled)
        assert provider.received == []  # the dispatcher has not sent them
        code, out = await clientele("surveys", "send-due", "--url", surveys.url, "--batch", "2")
        again_code, again = await clientele("surveys", "send-due", "--url", surveys.url)
    assert code == 0, out
    assert "batch: 2 handled, 1 still due" in out
    assert "send-due: 3 sent, 0 skipped, 0 failed, 0 deferred" in out
    assert sorted(m["to"] for m in provider.received) == sorted(CLIENTS.values())
    assert again_code == 0 and "send-due: 0 sent" in again, again
