"""One phone written three ways through three doors is one client (all five services).

A client is registered through the gateway with the phone written one way, a POS
purchase on Kafka names it written another way (loyalty matches it: the ledger shows
the bonus; surveys matches it: the survey SMS goes out), and the SMS answer comes
back from it written a third way through the gateway's signed webhook (the answer
counts for that client). Numbers of four countries, read with CLIENTELE_DEFAULT_REGION.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import httpx

from services.surveys.answers.signature import HEADER, sign
from shared.contracts.pos import PurchaseRecorded
from tests.conftest import Slate
from tests.support.kafka import eventually, payloads, produce, read_topic
from tests.support.processes import ServiceProcess
from tests.support.sms_provider import FakeSmsProvider, fake_sms_provider
from tests.support.stack import whole_stack
from tests.support.staff import login

SECRET = "e2e-identity-webhook-secret"

# E.164 -> (at the front desk, at the till, from the handset)
WRITTEN = {
    "+49301234567": ("030 1234567", "+49 30 1234567", "0049-30-123 45 67"),
    "+442079460018": ("+44 20 7946 0018", "0044 20 7946 0018", "+44 (0)20-7946-0018"),
    "+12125550142": ("+1 (212) 555-0142", "001 212 555 0142", "+1.212.555.0142"),
    "+33142685300": ("+33 1 42 68 53 00", "0033 142685300", "+33 (0)1 42 68 53 00"),
}


def surveys_env(provider: FakeSmsProvider) -> dict[str, str]:
    """Send at once, through the fake provider, at any hour; verify our webhook secret."""
    return {
        "SURVEYS_SMS_PROVIDER": "http",
        "SURVEYS_SMS_HTTP_URL": provider.url,
        "SURVEYS_SMS_HTTP_USER": "acme",
        "SURVEYS_SEND_DELAY_S": "0",
        "SURVEYS_DISPATCH_INTERVAL_S": "0.2",
        "SURVEYS_QUIET_HOURS_START": "0",
        "SURVEYS_QUIET_HOURS_END": "0",
        "SURVEYS_WEBHOOK_SECRET": SECRET,
    }


def sale(purchase_id: str, phone: str) -> PurchaseRecorded:
    return PurchaseRecorded.model_validate(
        {
            "purchase_id": purchase_id, "store_id": "S1", "employee_id": "E7",
            "client": {"phone": phone}, "currency": "EUR",
            "lines": [{"sku": "A1", "quantity": "2", "unit_price": "10.00"}], "total": "20.00",
        }
    )  # fmt: skip


async def register(api: httpx.AsyncClient, name: str, phone: str) -> str:
    r = await api.post(
        "/api/v1/clients",
        json={"name": name, "phone": phone, "consents": {"sms": True}},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def ledger_of(api: httpx.AsyncClient, client_id: str) -> Any:
    """The client's ledger once it shows a purchase."""

    async def check() -> Any:
        r = await api.get(f"/api/v1/clients/{client_id}/ledger")
        body = r.json() if r.status_code == 200 else {}
        return body if any(e.get("purchase_id") for e in body.get("entries", ())) else None

    return await eventually(check, timeout_s=60)


async def answer(api: httpx.AsyncClient, phone: str, score: int) -> dict[str, Any]:
    body = urlencode({"from": phone, "text": str(score), "id": f"prov-{phone}"}).encode()
    headers = {
        HEADER: sign(SECRET, body, int(time.time())),
        "content-type": "application/x-www-form-urlencoded",
    }
    r = await api.post("/api/v1/sms/inbound", content=body, headers=headers)
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


async def test_one_phone_written_three_ways_is_one_client_at_every_door(
    slate: Slate, spawn: Callable[..., ServiceProcess]
) -> None:
    async with fake_sms_provider() as provider:

        def spawn_with(name: str, env: dict[str, str] | None = None) -> ServiceProcess:
            extra = surveys_env(provider) if name == "surveys" else {}
            return spawn(name, {**(env or {}), "CLIENTELE_DEFAULT_REGION": "DE", **extra})

        stack = whole_stack(spawn_with)
        async with httpx.AsyncClient(base_url=stack.gateway.url, timeout=15) as api:
            api.headers.update(await login(api))
            ids = {e164: await register(api, f"Client {e164}", w[0]) for e164, w in WRITTEN.items()}
            for n, written in enumerate(WRITTEN.values()):
                event = sale(f"pos-{n}", written[1])
                value, key = event.model_dump_json().encode(), event.partition_key().encode()
                await produce(slate.infra.kafka, slate.topic(event.TOPIC), value, key=key)
            ledgers = {e164: await ledger_of(api, cid) for e164, cid in ids.items()}
            for e164 in WRITTEN:
                await eventually(lambda e164=e164: _texts(provider, e164), timeout_s=60)
            answers = {e164: await answer(api, w[2], 9) for e164, w in WRITTEN.items()}

    events = payloads(
        await read_topic(slate.infra.kafka, slate.topic("survey.answered"), expect=len(WRITTEN))
    )
    for n, e164 in enumerate(ids):
        entries = ledgers[e164]["entries"]
        assert [e["purchase_id"] for e in entries if e["purchase_id"]] == [f"pos-{n}"], e164
        assert Decimal(ledgers[e164]["balance"]) > 0, e164
        assert answers[e164]["status"] == "answered", (e164, answers[e164])
    assert {(e["client_id"], e["score"]) for e in events} == {(cid, 9) for cid in ids.values()}


async def _texts(provider: FakeSmsProvider, e164: str) -> list[str]:
    return provider.texts_to(e164)
