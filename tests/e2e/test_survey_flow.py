"""A visit, a survey SMS, a reply through the gateway, a rating: every service a real process.

The POS and the registry are played by the test (their events are published with
aiokafka); surveys and the gateway are real processes, the SMS provider a fake HTTP
server. The webhook stays open when staff auth lands (its signature authenticates
it); reports are read from surveys' internal API, which needs no staff token.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx

from services.surveys.answers.signature import HEADER, sign
from shared.contracts.pos import PurchaseRecorded
from shared.contracts.registry import ClientRegistered, Consent
from tests.conftest import Slate
from tests.support.kafka import eventually, payloads, produce, read_topic
from tests.support.processes import ServiceProcess
from tests.support.sms_provider import fake_sms_provider

SECRET = "e2e-webhook-secret"
PHONE = "+4930555777"


async def test_purchase_survey_reply_answer_and_rating_across_processes(
    slate: Slate, spawn: Callable[..., ServiceProcess]
) -> None:
    async with fake_sms_provider() as provider:
        surveys = spawn(
            "surveys",
            {
                "CLIENTELE_TOPIC_PARTITIONS": "1",
                "SURVEYS_SMS_PROVIDER": "http",
                "SURVEYS_SMS_HTTP_URL": provider.url,
                "SURVEYS_SMS_HTTP_USER": "acme",
                "SURVEYS_SEND_DELAY_S": "0",
                "SURVEYS_DISPATCH_INTERVAL_S": "0.2",
                "SURVEYS_QUIET_HOURS_START": "0",
                "SURVEYS_QUIET_HOURS_END": "0",
                "SURVEYS_WEBHOOK_SECRET": SECRET,
            },
        )
        gateway = spawn("gateway", {"GATEWAY_SURVEYS_URL": surveys.url})
        surveys.wait_healthy()
        gateway.wait_healthy(path="/healthz")

        consent = Consent(granted=True, at=datetime.now(UTC), source="front_desk")
        client = ClientRegistered(
            client_id="c-e2e", name="Ada", phone=PHONE, card_number="4000777",
            consents={"sms": consent},
        )  # fmt: skip
        await produce(
            slate.infra.kafka,
            slate.topic(client.TOPIC),
            client.model_dump_json().encode(),
            key=b"c-e2e",
        )
        async with httpx.AsyncClient(base_url=surveys.url, timeout=10) as internal:

            async def known() -> bool:
                r = await internal.get("/internal/v1/clients/c-e2e")
                return r.status_code == 200

            await eventually(known)
            before = (await internal.get("/internal/v1/reports/nps?subject=employee:E7")).json()

            sale = PurchaseRecorded.model_validate(
                {
                    "purchase_id": "pos-1-0001", "store_id": "S1", "employee_id": "E7",
                    "client": {"card_number": "4000777"}, "currency": "EUR",
                    "lines": [{"sku": "A1", "quantity": "1", "unit_price": "12.50"}],
                    "total": "12.50",
                }
            )  # fmt: skip
            await produce(
                slate.infra.kafka,
                slate.topic(sale.TOPIC),
                sale.model_dump_json().encode(),
                key=b"4000777",
            )

            async def sms_at_provider() -> list[str]:
                return provider.texts_to(PHONE)

            texts = await eventually(sms_at_provider)
            assert texts == ["Rate your visit to S1 with E7 from 0 to 10"]

            reply = urlencode({"from": PHONE, "text": "10 lovely", "id": "prov-77"}).encode()
            headers = {
                HEADER: sign(SECRET, reply, int(time.time())),
                "content-type": "application/x-www-form-urlencoded",
            }
            async with httpx.AsyncClient(base_url=gateway.url, timeout=10) as public:
                forged = await public.post(
                    "/api/v1/sms/inbound",
                    content=reply,
                    headers=headers | {HEADER: sign("wrong", reply, int(time.time()))},
                )
                answered = await public.post("/api/v1/sms/inbound", content=reply, headers=headers)
            assert forged.status_code == 401
            assert answered.status_code == 200, answered.text
            assert answered.json()["status"] == "answered"

            events = payloads(
                await read_topic(slate.infra.kafka, slate.topic("survey.answered"), expect=1)
            )
            # The outbox may publish an event twice (at least once); it is one event_id.
            assert len({e["event_id"] for e in events}) == 1
            assert {(e["client_id"], e["employee_id"], e["score"]) for e in events} == {
                ("c-e2e", "E7", 10)
            }

            async def rating() -> Any:
                r = await internal.get("/internal/v1/reports/nps?subject=employee:E7")
                return r.json() if r.json()["count"] else None

            after = await eventually(rating)
            metrics = (await internal.get("/metrics")).text
    assert before["count"] == 0 and before["nps"] is None
    assert (after["count"], after["average"], after["nps"]) == (1, 10.0, 100.0)
    assert 'clientele_sms_messages_total{kind="survey",outcome="sent",reason=""} 1.0' in metrics
    assert 'clientele_sms_replies_total{status="answered"} 1.0' in metrics
