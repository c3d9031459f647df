"""Surveys killed with SIGKILL while a survey waits to be sent: the new process sends it once.

The purchase is consumed and the survey planned (store write, offset committed); the
process dies before the send delay is over. A fresh process finds the planned message
in `schedule` and sends exactly one SMS; a redelivered purchase plans nothing new.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pymongo import AsyncMongoClient

from shared.contracts.pos import PurchaseRecorded
from shared.contracts.registry import ClientRegistered, Consent
from tests.conftest import Slate
from tests.support.kafka import eventually, produce
from tests.support.processes import ServiceProcess
from tests.support.sms_provider import fake_sms_provider

PHONE = "+4930555888"


async def test_a_planned_survey_survives_a_crash_and_is_sent_once(
    slate: Slate, spawn: Callable[..., ServiceProcess], mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("surveys")]
    consent = Consent(granted=True, at=datetime.now(UTC), source="front_desk")
    client = ClientRegistered(client_id="c-r", name="Ada", phone=PHONE, consents={"sms": consent})
    sale = PurchaseRecorded.model_validate(
        {
            "purchase_id": "pos-r-1", "store_id": "S1", "employee_id": "E7",
            "client": {"client_id": "c-r"}, "currency": "EUR",
            "lines": [{"sku": "A1", "quantity": "1", "unit_price": "5.00"}], "total": "5.00",
        }
    )  # fmt: skip
    async with fake_sms_provider() as provider:
        env = {
            "CLIENTELE_TOPIC_PARTITIONS": "1",
            "SURVEYS_SMS_PROVIDER": "http",
            "SURVEYS_SMS_HTTP_URL": provider.url,
            "SURVEYS_SEND_DELAY_S": "4",
            "SURVEYS_DISPATCH_INTERVAL_S": "0.2",
            "SURVEYS_QUIET_HOURS_START": "0",
            "SURVEYS_QUIET_HOURS_END": "0",
        }
        doomed = spawn("surveys", env)
        doomed.wait_healthy()
        for event in (client, sale):
            await produce(
                slate.infra.kafka, slate.topic(event.TOPIC),
                event.model_dump_json().encode(), key=b"c-r",
            )  # fmt: skip
            # Two topics, two consumers: a purchase seen first waits for its client.

        async def planned() -> Any:
            return await db.schedule.find_one({})

        await eventually(planned, timeout_s=60)
        assert doomed.proc is not None
        doomed.proc.send_signal(signal.SIGKILL)
        assert doomed.wait_exit() == -signal.SIGKILL
        assert provider.received == []

        survivor = spawn("surveys", env)
        survivor.wait_healthy()
        await produce(  # the POS sends the purchase again: nothing new is planned
            slate.infra.kafka, slate.topic(sale.TOPIC), sale.model_dump_json().encode(), key=b"c-r"
        )

        async def sent() -> Any:
            return provider.received or None

        await eventually(sent)
        await eventually(lambda: _unplanned(db))
    assert [m["to"] for m in provider.received] == [PHONE]
    assert await db.messages.count_documents({}) == 1


async def _unplanned(db: Any) -> bool:
    return await db.schedule.count_documents({}) == 0
