"""A phone that cannot be read inside an event is parked with the reason, never guessed.

Every consumer that matches clients by phone builds the key with shared.identity; a
phone that is not a phone number raises InvalidPhone and the event goes to
`<topic>.dlq` (docs/identity.md). The other events of a batch go on.
"""

from __future__ import annotations

from typing import Any

from aiokafka import ConsumerRecord
from pymongo import AsyncMongoClient

from services.complaints.main import create_app as complaints_app
from services.loyalty.main import create_app as loyalty_app
from shared.contracts.pos import ClientRef, PurchaseReturned, ReturnedLine
from tests.conftest import Slate, running
from tests.integration.complaints.support import complaints_settings
from tests.integration.complaints.support import publish as publish_event
from tests.integration.loyalty.pos import (
    loyalty_settings,
    publish_all,
    purchase,
    register,
    registered,
)
from tests.integration.surveys.support import ManualClock, surveys_app
from tests.integration.surveys.support import publish as publish_purchase
from tests.integration.surveys.support import purchase as survey_purchase
from tests.support.kafka import eventually, read_topic

UNREADABLE = "call me maybe"


def headers_of(record: ConsumerRecord[bytes, bytes]) -> dict[str, str]:
    return {k: bytes(v).decode() for k, v in record.headers}


async def test_loyalty_parks_a_purchase_whose_phone_cannot_be_read_and_counts_the_rest(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("loyalty")]
    topic = slate.topic("purchase.recorded")
    bad = purchase("P-bad", phone=UNREADABLE)
    async with running(loyalty_app(loyalty_settings(slate))):
        await register(slate, registered("c-1", phone="+4930555901"))
        await eventually(lambda: db.lookups.find_one({"_id": "phone:+4930555901"}))
        good = purchase("P-good", phone="030 555 901")
        await publish_all(slate.infra.kafka, topic, [bad, good])
        await eventually(lambda: db.receipts.find_one({"_id": "purchase:P-good"}))
        parked = await read_topic(slate.infra.kafka, topic + ".dlq", expect=1)
    assert await db.receipts.find_one({"_id": "purchase:P-bad"}) is None
    assert (await db.receipts.find_one({"_id": "purchase:P-good"}) or {}).get("client_id") == "c-1"
    assert len(parked) == 1
    headers = headers_of(parked[0])
    assert headers["x-dlq-service"] == "loyalty"
    assert headers["x-dlq-reason"].startswith("InvalidPhone: phone is not a phone number")
    assert UNREADABLE not in headers["x-dlq-reason"]  # no personal data in the reason
    assert b"P-bad" in (parked[0].value or b"")


async def test_surveys_parks_a_purchase_whose_phone_cannot_be_read(slate: Slate) -> None:
    sale = survey_purchase("p-bad", {"phone": UNREADABLE})
    async with surveys_app(slate, ManualClock()):
        await publish_purchase(slate, sale)
        parked = await read_topic(slate.infra.kafka, slate.topic("purchase.recorded.dlq"), expect=1)
    assert len(parked) == 1
    headers = headers_of(parked[0])
    assert headers["x-dlq-service"] == "surveys"
    assert headers["x-dlq-reason"].startswith("InvalidPhone: phone is not a phone number")
    assert UNREADABLE not in headers["x-dlq-reason"]
    assert parked[0].value == sale.model_dump_json().encode()


async def test_complaints_parks_a_return_whose_phone_cannot_be_read(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    event = PurchaseReturned(
        return_id="r-bad",
        purchase_id="p-1",
        client=ClientRef(phone=UNREADABLE),
        lines=[ReturnedLine(sku="A1", quantity=1)],  # type: ignore[arg-type]
    )
    async with running(complaints_app(complaints_settings(slate))):
        await publish_event(slate, event)
        parked = await read_topic(slate.infra.kafka, slate.topic("purchase.returned.dlq"), expect=1)
    assert len(parked) == 1
    headers = headers_of(parked[0])
    assert headers["x-dlq-service"] == "complaints"
    assert headers["x-dlq-reason"].startswith("InvalidPhone: phone is not a phone number")
    assert UNREADABLE not in headers["x-dlq-reason"]
    db = mongo[slate.db_name("complaints")]
    assert await db.waiting.count_documents({}) == 0  # parked in the DLQ, not waiting
