"""Weekly topic counts from complaint.filed, and a rising topic flagged against its own
baseline, on generated data: the biggest topic is not a trend, a rising one is.

The data is nine weeks of generated `complaint.filed` events (the trend counter's input),
published straight to the broker; opening ~100 cases through the API would only make
the test slower."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer

from services.complaints.main import create_app
from services.complaints.trends.model import iso_week
from shared.contracts.complaints import ComplaintFiled
from tests.conftest import Slate, running
from tests.integration.complaints.support import complaints_settings
from tests.support.kafka import eventually, payloads, read_topic


def generated_cases(now: datetime) -> list[tuple[str, datetime]]:
    """Nine weeks: 'pricing' is large and steady, 'delivery' small until this week."""
    rng = random.Random(47)
    cases: list[tuple[str, datetime]] = []
    for weeks_ago in range(8, 0, -1):
        week = now - timedelta(weeks=weeks_ago)
        cases += [("pricing", week)] * rng.randint(9, 11)
        cases += [("delivery", week)] * rng.randint(0, 1)
    cases += [("pricing", now)] * 11 + [("delivery", now)] * 6
    return cases


def filed(topic: str, at: datetime, n: int) -> ComplaintFiled:
    return ComplaintFiled(
        complaint_id=f"k-{n}",
        client_id=f"c-{n % 7}",
        kind="complaint",
        channel="web",
        topic=topic,
        priority="normal",
        opened_at=at,
        client_category="regular",
    )


async def publish_all(slate: Slate, events: list[ComplaintFiled]) -> None:
    """Generated complaint.filed events, published in one batch as complaints would."""
    producer = AIOKafkaProducer(bootstrap_servers=slate.infra.kafka, enable_idempotence=True)
    await producer.start()
    try:
        sent = [
            await producer.send(
                slate.topic(e.TOPIC), e.model_dump_json().encode(), key=e.client_id.encode()
            )
            for e in events
        ]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


async def test_a_topic_rising_against_its_baseline_is_flagged_and_a_merely_large_one_is_not(
    slate: Slate,
) -> None:
    now = datetime.now(UTC)
    week = iso_week(now)
    cases = generated_cases(now)
    async with running(create_app(complaints_settings(slate))) as api:
        await publish_all(slate, [filed(topic, at, n) for n, (topic, at) in enumerate(cases)])

        async def counted() -> Any:
            r = await api.get(
                "/internal/v1/reports/complaint-trends", params={"week": week, "segment": "all"}
            )
            lines = {line["topic"]: line for line in r.json()}
            done = lines.get("pricing", {}).get("count") == 11
            return lines if done and lines.get("delivery", {}).get("count") == 6 else None

        report = await eventually(counted, timeout_s=60)
        first = await api.post(
            "/internal/v1/reports/complaint-trends/detect", params={"week": week}
        )
        second = await api.post(
            "/internal/v1/reports/complaint-trends/detect", params={"week": week}
        )
        alerts = await read_topic(
            slate.infra.kafka, slate.topic("complaint.trend_detected"), expect=3, timeout_s=4
        )
    assert report["delivery"]["rising"] and report["delivery"]["baseline"] <= 1
    assert not report["pricing"]["rising"] and report["pricing"]["baseline"] >= 9
    assert {(t["topic"], t["segment"]) for t in first.json()} == {
        ("delivery", "all"),
        ("delivery", "category:regular"),
    }
    assert second.json() == first.json()
    announced = {e["event_id"]: e for e in payloads(alerts)}.values()
    assert sorted(e["segment"] for e in announced) == ["all", "category:regular"]
    assert {e["topic"] for e in announced} == {"delivery"}
    assert all(e["week"] == week for e in announced)
