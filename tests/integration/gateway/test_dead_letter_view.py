"""Admins read the letters a consumer parked, through the gateway, page by page.

Loyalty parks malformed purchases in `purchase.recorded.dlq` (on the partition of their
key); the gateway's DLQ API must show every one of them, newest first, across all
partitions, and page through them without losing or repeating a letter.
"""

from __future__ import annotations

from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from services.gateway.main import create_app as create_gateway
from services.loyalty.main import create_app as create_loyalty
from tests.conftest import Slate, running
from tests.integration.gateway.conftest import gateway_settings
from tests.integration.loyalty.pos import loyalty_settings
from tests.support.kafka import read_topic
from tests.support.staff import login

LETTERS = 12


async def publish_malformed(slate: Slate, count: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=slate.infra.kafka, enable_idempotence=True)
    await producer.start()
    try:
        for n in range(count):  # distinct keys spread the letters over the partitions
            body = b'{"event_id": "bad-' + str(n).encode() + b'", "purchase_id": '
            await producer.send_and_wait(
                slate.topic("purchase.recorded"), body, key=f"card-{n}".encode()
            )
    finally:
        await producer.stop()


async def all_pages(
    api: httpx.AsyncClient, headers: dict[str, str], limit: int
) -> list[dict[str, Any]]:
    pages: list[dict[str, Any]] = []
    params: dict[str, str | int] = {"limit": limit}
    while len(pages) < 10:
        r = await api.get("/api/v1/dlq/purchase.recorded.dlq", params=params, headers=headers)
        assert r.status_code == 200, r.text
        pages.append(r.json())
        if pages[-1].get("next_before") is None:
            break
        params["before"] = pages[-1]["next_before"]
    return pages


async def test_dlq_api_pages_through_every_parked_letter_across_partitions(slate: Slate) -> None:
    async with running(create_loyalty(loyalty_settings(slate))):
        await publish_malformed(slate, LETTERS)
        dlq = slate.topic("purchase.recorded.dlq")
        parked = await read_topic(slate.infra.kafka, dlq, expect=LETTERS, timeout_s=60)
    assert len(parked) == LETTERS
    where = {(r.partition, r.offset) for r in parked}
    assert len({p for p, _ in where}) >= 2, "the test needs letters on several partitions"

    async with running(create_gateway(gateway_settings(slate))) as api:
        admin = await login(api)
        pages = await all_pages(api, admin, limit=5)

    letters = [letter for page in pages for letter in page["letters"]]
    assert [len(p["letters"]) for p in pages] == [5, 5, 2]
    assert {(x["partition"], x["offset"]) for x in letters} == where
    assert len(letters) == LETTERS  # no letter twice
    assert all(p["held"] == LETTERS for p in pages)
    stamps = [x["timestamp_ms"] for x in letters]
    assert stamps == sorted(stamps, reverse=True)  # newest first, across pages
    assert all(x["original_topic"] == slate.topic("purchase.recorded") for x in letters)
    assert all(x["reason"] for x in letters)


async def test_dlq_api_says_what_is_wrong_with_a_bad_page_cursor(slate: Slate) -> None:
    async with running(create_gateway(gateway_settings(slate))) as api:
        admin = await login(api)
        bad = await api.get(
            "/api/v1/dlq/purchase.recorded.dlq", params={"before": "zero:1"}, headers=admin
        )
        missing = await api.get("/api/v1/dlq/nothing.here.dlq", headers=admin)
    assert bad.status_code == 422, bad.text
    assert "before" in bad.text
    assert missing.status_code == 404, missing.text
    assert "nothing.here.dlq" in missing.text
