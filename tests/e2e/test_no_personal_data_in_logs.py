"""No phone, email, card number or name in any log line of any service process.

The whole stack runs with DEBUG logs while one client's story (privacy_story.py) goes
through every service: a sale naming the phone parked before the client is known, a
registration, an SMS survey answered through the webhook, a complaint whose text
quotes the client, a search by phone, an invalid and a duplicate registration. Then
every line every process wrote (ours, uvicorn's, aiokafka's, FastStream's, tracebacks)
is scanned: the phone as digits in any format (separators stripped, the national
significant number searched), the email, the card number and the name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import httpx

from tests.conftest import Slate
from tests.e2e.privacy_story import Person, live_through, surveys_env
from tests.support.processes import ServiceProcess
from tests.support.sms_provider import fake_sms_provider
from tests.support.stack import whole_stack
from tests.support.staff import login


def leaks(line: str, person: Person) -> list[str]:
    digits, lower = re.sub(r"\D", "", line), line.lower()
    found = []
    if person.national_digits in digits:
        found.append("phone")
    if person.card in digits:
        found.append("card number")
    if person.email.split("@")[0] in lower.replace("%40", "@"):
        found.append("email")
    if person.surname.lower() in lower:
        found.append("name")
    return found


async def test_no_service_logs_the_phone_email_card_or_name(
    slate: Slate, spawn: Callable[..., ServiceProcess]
) -> None:
    person = Person.unique()
    async with fake_sms_provider() as provider:
        debug = {"LOG_LEVEL": "DEBUG"}
        stack = whole_stack(
            spawn,
            env={
                "registry": debug, "loyalty": debug, "complaints": debug, "gateway": debug,
                "surveys": {**debug, **surveys_env(provider)},
            },
        )  # fmt: skip
        async with httpx.AsyncClient(base_url=stack.gateway.url, timeout=30) as api:
            api.headers.update(await login(api))
            story = await live_through(slate, api, provider, person)
        processes = (stack.registry, stack.loyalty, stack.surveys, stack.complaints, stack.gateway)
        for process in processes:
            process.stop()  # shutdown lines are scanned too
    logs = {p.name: p.log_text().splitlines() for p in processes}
    found = [
        f"{name}: {kinds} in {line[:300]}"
        for name, lines in logs.items()
        for line in lines
        if (kinds := leaks(line, person))
    ]
    assert found == []
    assert all(len(lines) >= 3 for lines in logs.values()), {n: len(v) for n, v in logs.items()}
    parked = [
        json.loads(line) for line in logs["surveys"] if '"event_parked_until_client_known"' in line
    ]
    assert parked, "the sale should have waited for the phone"  # the known leak's path
    assert parked[0]["waiting_for"] == [f"phone:+49•••••{person.national_digits[-3:]}"]
    assert story.client_id in "\n".join(logs["registry"] + logs["gateway"] + logs["loyalty"])
