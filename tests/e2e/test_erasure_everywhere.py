"""Erasure reaches every collection of every service database (issue 16, "Must show").

One client's story (privacy_story.py) goes through the whole stack with unique
personal data: a POS sale naming the phone before the client exists, a registration
through the gateway (name, phone, email, card, birthday), an SMS survey answered
through the signed webhook, a complaint quoting the client. `clientele privacy verify`
finds the data and exits non-zero; after `POST /api/v1/clients/{id}/erase`, within
60 s no document in any collection of any service database holds the name, phone
(any format), email, card number or birthday, and `verify` exits 0.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx
from bson import json_util
from pymongo import AsyncMongoClient

from shared.contracts.pos import PurchaseRecorded
from tests.conftest import SERVICES, Slate
from tests.e2e.privacy_story import Person, live_through, sale, surveys_env
from tests.support.kafka import produce
from tests.support.processes import ServiceProcess
from tests.support.sms_provider import fake_sms_provider
from tests.support.stack import Stack, whole_stack
from tests.support.staff import login

BIRTHDAY = "1990-04-01"


def traces(text: str, person: Person) -> list[str]:
    """Which of the person's data `text` (a document as extended JSON) holds."""
    digits, lower = re.sub(r"\D", "", text), text.lower()
    found = []
    if person.national_digits in digits:
        found.append("phone")
    if person.card in digits:
        found.append("card")
    if person.email.split("@")[0] in lower:
        found.append("email")
    if person.surname.lower() in lower:
        found.append("name")
    if "1990-04-01" in text or '"$date": "1990-04-01' in text:
        found.append("birthday")
    return found


async def everything_holding(
    mongo: AsyncMongoClient[dict[str, Any]], slate: Slate, person: Person
) -> list[str]:
    """Scan every document of every collection of the test's service databases."""
    found = []
    for service in SERVICES:
        db = mongo[slate.db_name(service)]
        for collection in await db.list_collection_names():
            async for doc in db[collection].find({}):
                text = json_util.dumps(doc)
                if kinds := traces(text, person):
                    found.append(f"{service}.{collection} {doc['_id']}: {kinds} in {text[:400]}")
    return found


def privacy_verify(slate: Slate, stack: Stack, client_id: str, person: Person | None = None) -> Any:
    """`clientele privacy verify`; without `person` it reads the PII from the registry."""
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": slate.infra.kafka,
        "MONGODB_URL": slate.infra.mongodb,
        "CLIENTELE_TOPIC_PREFIX": slate.prefix,
        **{f"{s.upper()}_MONGODB_DB": slate.db_name(s) for s in SERVICES},
    }
    pii = []
    if person is not None:
        pii = ["--phone", person.e164, "--email", person.email, "--card", person.card]
        pii += ["--name", person.name, "--birthday", BIRTHDAY]
    logs = [arg for p in stack_processes(stack) for arg in ("--log", str(p.log_path))]
    return subprocess.run(
        [sys.executable, "-m", "services.cli", "privacy", "verify", client_id, *pii, *logs],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


async def sale_with_an_unknown_card(slate: Slate, p: Person) -> PurchaseRecorded:
    """Before the client registers, a sale names the phone together with a card nobody
    ever registers: it waits under both keys; the phone releases it, and the card's
    waiting entry still holds a copy."""
    body = sale(p, f"pos-{secrets.token_hex(4)}").model_dump(mode="json")
    body["client"] = {"phone": p.e164, "card_number": "4000000000000002"}
    purchase = PurchaseRecorded.model_validate(body)
    await produce(
        slate.infra.kafka,
        slate.topic(purchase.TOPIC),
        purchase.model_dump_json().encode(),
        key=purchase.partition_key().encode(),
    )
    return purchase


async def change_category(api: httpx.AsyncClient, client_id: str, p: Person) -> None:
    """A category change whose reason (kept in the history) names the client."""
    vip = {"category": "vip", "reason": f"{p.name} ({p.email}) spends a lot"}
    changed = await api.patch(f"/api/v1/clients/{client_id}", json=vip)
    assert changed.status_code == 200, changed.text


def stack_processes(stack: Stack) -> tuple[ServiceProcess, ...]:
    return (stack.registry, stack.loyalty, stack.surveys, stack.complaints, stack.gateway)


async def test_erased_client_is_in_no_collection_of_any_service(
    slate: Slate, spawn: Callable[..., ServiceProcess], mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    person = Person.unique()
    async with fake_sms_provider() as provider:
        stack = whole_stack(spawn, env={"surveys": surveys_env(provider)})
        async with httpx.AsyncClient(base_url=stack.gateway.url, timeout=30) as api:
            api.headers.update(await login(api))
            await sale_with_an_unknown_card(slate, person)
            story = await live_through(slate, api, provider, person)
            await change_category(api, story.client_id, person)
            before = await everything_holding(mongo, slate, person)
            held = {line.split(" ")[0] for line in before}
            assert {"registry.clients", "registry.lookups", "loyalty.accounts"} <= held, before
            assert any(h.startswith("surveys.") for h in held), before
            assert any(h.startswith("complaints.") for h in held), before
            found = privacy_verify(slate, stack, story.client_id)  # PII from the registry
            assert found.returncode == 1, found.stdout + found.stderr
            listed = [s for s in SERVICES if f"{slate.db_name(s)}." in found.stdout]
            assert listed == ["registry", "loyalty", "surveys", "complaints"], found.stdout

            erased = await api.post(f"/api/v1/clients/{story.client_id}/erase", json={})
            assert erased.status_code == 200, erased.text
            ledger = await api.get(f"/api/v1/clients/{story.client_id}/ledger")

        deadline, left = time.monotonic() + 60, before
        while left and time.monotonic() < deadline:
            await asyncio.sleep(1)
            left = await everything_holding(mongo, slate, person)
        assert left == [], "\n".join(left)
        assert ledger.status_code == 200 and "25" in json.dumps(ledger.json()), ledger.text
        clean = privacy_verify(slate, stack, story.client_id, person)
        assert clean.returncode == 0, clean.stdout + clean.stderr
        # Kafka records cannot be edited: listed with the time retention deletes them.
        assert "client.registered" in clean.stdout and "retention" in clean.stdout, clean.stdout
