"""Malformed events (bad JSON, wrong types, missing fields, 2 MB bodies, unknown schema
versions) all land in the DLQ with a reason; the consumer keeps going."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from typing import Any
from uuid import uuid4

from aiokafka import AIOKafkaProducer
from pymongo import AsyncMongoClient

from shared.contracts import ClientRegistered
from tests.conftest import Slate
from tests.reliability.sizing import report, scaled
from tests.support.kafka import eventually, read_topic
from tests.support.processes import ServiceProcess

TWO_MB = 2 * 1024 * 1024
# What the parked reason must say for each kind of malformed event.
EXPECTED_REASON = {
    "bad_json": "invalid json",  # the pipeline refuses bytes that are not JSON as json_invalid
    "wrong_types": "name",
    "missing_fields": "field required",
    "unknown_version": "schema_version 99 is not supported",
    "2mb_body": "field required",
}
BIG_BODY_EVERY = 20  # one in twenty malformed events is a 2 MB body


def malformed(n: int) -> tuple[str, bytes]:
    """The n-th malformed event and its kind."""
    base: dict[str, Any] = {"event_id": str(uuid4()), "schema_version": 1}
    if n % BIG_BODY_EVERY == BIG_BODY_EVERY - 1:
        return "2mb_body", json.dumps({**base, "pad": "x" * TWO_MB}).encode()
    kind = ("bad_json", "wrong_types", "missing_fields", "unknown_version")[n % 4]
    if kind == "bad_json":
        return kind, b'{"event_id": "' + str(n).encode() + b'", "client_id": '
    if kind == "wrong_types":
        body = {**base, "client_id": f"m-{n}", "name": {"first": "Ada"}, "occurred_at": "soon"}
        return kind, json.dumps(body).encode()
    if kind == "missing_fields":
        return kind, json.dumps(base).encode()
    event = ClientRegistered(client_id=f"m-{n}", name="Ada")
    body = {**json.loads(event.model_dump_json()), "schema_version": 99}
    return kind, json.dumps(body).encode()


async def test_malformed_events_are_parked_with_reasons_and_the_consumer_keeps_going(
    slate: Slate, spawn: Callable[..., ServiceProcess], mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    total = scaled(60, 1_000)
    topic = slate.topic(ClientRegistered.TOPIC)
    loyalty = spawn("loyalty")
    loyalty.wait_healthy()
    producer = AIOKafkaProducer(
        bootstrap_servers=slate.infra.kafka, enable_idempotence=True, max_request_size=4 * TWO_MB
    )
    await producer.start()
    kinds: Counter[str] = Counter()
    kind_of: dict[bytes, str] = {}
    valid: list[str] = []
    started = time.monotonic()
    try:
        for n in range(total):
            kind, body = malformed(n)
            kinds[kind] += 1
            kind_of[f"m-{n}".encode()] = kind
            await producer.send_and_wait(topic, body, key=f"m-{n}".encode())
            if n % 10 == 9:  # good events in between: they must still be processed
                good = ClientRegistered(client_id=f"good-{n}", name="Grace")
                valid.append(good.client_id)
                await producer.send_and_wait(topic, good.model_dump_json().encode())
    finally:
        await producer.stop()

    parked = await read_topic(slate.infra.kafka, topic + ".dlq", expect=total, timeout_s=240)
    elapsed = time.monotonic() - started
    accounts = mongo[slate.db_name("loyalty")].accounts

    async def all_good_opened() -> bool:
        return await accounts.count_documents({"_id": {"$in": valid}}) == len(valid)

    await eventually(all_good_opened, timeout_s=60)
    reasons: Counter[str] = Counter()
    for record in parked:
        headers = dict(record.headers)
        reason = headers["x-dlq-reason"].decode()
        assert headers["x-dlq-original-topic"].decode() == topic
        assert record.key is not None
        kind = kind_of[record.key]
        assert EXPECTED_REASON[kind] in reason.lower(), (kind, reason[:300])
        reasons[reason.split(":", 1)[0]] += 1
    sizes = sorted(len(r.value or b"") for r in parked)
    report(
        "malformed events",
        sent=total,
        parked=len(parked),
        good_processed=len(valid),
        kinds=dict(kinds),
        reasons=dict(reasons),
        largest_parked_bytes=sizes[-1],
        seconds=round(elapsed, 1),
    )
    assert len(parked) == total
    assert sizes[-1] > TWO_MB  # the 2 MB bodies are parked whole, not truncated
    assert await accounts.count_documents({"_id": {"$regex": "^m-"}}) == 0
    assert "message_dead_lettered" in loyalty.log_text()
