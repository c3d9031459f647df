"""One client's story through every service, with unique personal data (privacy tests).

A POS sale naming the client's phone arrives before the client is registered (surveys
parks it under `phone:+49…`, loyalty keeps it unmatched); the client registers through
the gateway with a name, a phone written nationally, an email and a plastic card, and
SMS consent; the parked sale asks for a rating by SMS, the client answers through the
signed webhook; staff file a complaint, search by phone, read the card and the ledger;
an invalid registration and a duplicate carry the same data.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from pymongo import AsyncMongoClient

from services.surveys.answers.signature import HEADER, sign
from shared.contracts.pos import PurchaseRecorded
from tests.conftest import Slate
from tests.support.kafka import eventually, produce
from tests.support.sms_provider import FakeSmsProvider

WEBHOOK_SECRET = "privacy-webhook-secret"


def _luhn_completed(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        n = int(ch) * (1 if i % 2 else 2)
        total += n - 9 if n > 9 else n
    return body + str((10 - total % 10) % 10)


@dataclass(frozen=True)
class Person:
    """Sentinel personal data, unique to one test run."""

    national_digits: str  # the national significant number: 30 + 8 digits (Berlin)
    email: str
    card: str
    surname: str

    @classmethod
    def unique(cls) -> Person:
        tag = secrets.token_hex(4)
        subscriber = "".join(secrets.choice("123456789") for _ in range(8))
        return cls(
            national_digits=f"30{subscriber}",
            email=f"sentinel.{tag}@example.org",
            card=_luhn_completed("4000" + "".join(secrets.choice("0123456789") for _ in range(11))),
            surname=f"Zentinel{tag}",
        )

    @property
    def e164(self) -> str:
        return f"+49{self.national_digits}"

    @property
    def written_phone(self) -> str:
        d = self.national_digits
        return f"0{d[:2]} {d[2:6]} {d[6:]}"

    @property
    def name(self) -> str:
        return f"Quilla {self.surname}"


def surveys_env(provider: FakeSmsProvider) -> dict[str, str]:
    return {
        "SURVEYS_SMS_PROVIDER": "http",
        "SURVEYS_SMS_HTTP_URL": provider.url,
        "SURVEYS_SMS_HTTP_USER": "acme",
        "SURVEYS_SEND_DELAY_S": "0",
        "SURVEYS_DISPATCH_INTERVAL_S": "0.2",
        "SURVEYS_QUIET_HOURS_START": "0",
        "SURVEYS_QUIET_HOURS_END": "0",
        "SURVEYS_WEBHOOK_SECRET": WEBHOOK_SECRET,
    }


def sale(person: Person, purchase_id: str) -> PurchaseRecorded:
    return PurchaseRecorded.model_validate(
        {
            "purchase_id": purchase_id, "store_id": "S1", "employee_id": "E7",
            "client": {"phone": person.e164}, "currency": "EUR",
            "lines": [{"sku": "A1", "name": "Tea", "quantity": "2", "unit_price": "12.50"}],
            "total": "25.00",
        }
    )  # fmt: skip


@dataclass
class Story:
    client_id: str
    purchase_id: str
    case_id: str
    score: int


async def _parked_in_surveys(slate: Slate, person: Person) -> None:
    """The sale waits in surveys for the phone before the client registers (the path that
    once logged the phone); topics have no order between them, so wait for it."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(slate.infra.mongodb)
    try:
        waiting = client[slate.db_name("surveys")]["waiting"]

        async def parked() -> bool:
            return await waiting.find_one({"_id": f"waiting:phone:{person.e164}"}) is not None

        await eventually(parked, timeout_s=60)
    finally:
        await client.close()


async def live_through(
    slate: Slate, api: httpx.AsyncClient, provider: FakeSmsProvider, person: Person
) -> Story:
    """Drive the story; `api` is logged in at the gateway (a manager or admin)."""
    purchase = sale(person, f"pos-{secrets.token_hex(4)}")
    await produce(
        slate.infra.kafka,
        slate.topic(purchase.TOPIC),
        purchase.model_dump_json().encode(),
        key=purchase.partition_key().encode(),
    )
    await _parked_in_surveys(slate, person)
    form = {
        "name": person.name, "phone": person.written_phone, "email": person.email,
        "card_number": person.card, "consents": {"sms": True}, "birthday": "1990-04-01",
    }  # fmt: skip
    registered = await api.post("/api/v1/clients", json=form)
    assert registered.status_code == 201, registered.text
    client_id = str(registered.json()["id"])
    await _answer_the_survey(api, provider, person)
    case = await api.post(
        "/api/v1/complaints",
        json={
            "client_id": client_id, "channel": "phone", "topic": "staff_behaviour",
            "text": f"{person.name} ({person.written_phone}, {person.email}) was ignored",
        },
    )  # fmt: skip
    assert case.status_code == 201, case.text
    await _staff_reads_and_mistakes(api, client_id, person, form)
    await _ledger_has_the_purchase(api, client_id)
    return Story(client_id, purchase.purchase_id, str(case.json()["id"]), 9)


async def _answer_the_survey(
    api: httpx.AsyncClient, provider: FakeSmsProvider, person: Person
) -> None:
    async def asked() -> list[str]:
        return provider.texts_to(person.e164)

    await eventually(asked, timeout_s=60)
    reply = urlencode({"from": person.e164, "text": "9 fine", "id": "prov-1"}).encode()
    headers = {
        HEADER: sign(WEBHOOK_SECRET, reply, int(time.time())),
        "content-type": "application/x-www-form-urlencoded",
    }
    answered = await api.post("/api/v1/sms/inbound", content=reply, headers=headers)
    assert answered.status_code == 200 and answered.json()["status"] == "answered", answered.text


async def _staff_reads_and_mistakes(
    api: httpx.AsyncClient, client_id: str, person: Person, form: dict[str, Any]
) -> None:
    found = await api.get("/api/v1/clients", params={"q": person.written_phone})
    assert found.status_code == 200, found.text
    assert client_id in found.text
    assert (await api.get(f"/api/v1/clients/{client_id}")).status_code == 200
    invalid = await api.post("/api/v1/clients", json={**form, "birthday": "the first of April"})
    assert invalid.status_code == 422, invalid.text
    duplicate = await api.post("/api/v1/clients", json={**form, "card_number": None})
    assert duplicate.status_code == 409, duplicate.text


async def _ledger_has_the_purchase(api: httpx.AsyncClient, client_id: str) -> None:
    async def accrued() -> Any:
        r = await api.get(f"/api/v1/clients/{client_id}/ledger")
        return r.status_code == 200 and r.json() and r.json() != {"entries": []} and r.json()

    await eventually(accrued, timeout_s=60)
