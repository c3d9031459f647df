"""`clientele pos simulate`: a bounded, steady load of valid purchase.recorded v1 events."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from shared.contracts.pos import PurchaseRecorded
from tests.conftest import Slate
from tests.support.infra import ROOT
from tests.support.kafka import read_topic


async def clientele(*args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "clientele"), *args, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    return await proc.wait(), out.decode()


async def declare(bootstrap: str, topic: str) -> None:
    """As the services do at start: the broker creates no topic by itself."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    finally:
        await admin.close()


async def test_simulate_publishes_valid_purchases_bounded_by_count_then_by_time(
    slate: Slate,
) -> None:
    topic = slate.topic("purchase.recorded")
    await declare(slate.infra.kafka, topic)
    target = ["--kafka", slate.infra.kafka, "--topic-prefix", slate.prefix]
    by_count = await clientele("pos", "simulate", "--rate", "200", "--count", "300", *target)
    by_time = await clientele("pos", "simulate", "--rate", "40", "--duration", "1.5", *target)
    records = await read_topic(slate.infra.kafka, topic, expect=360, timeout_s=10)
    assert by_count[0] == 0, by_count[1]
    assert "sent 300 purchase.recorded events in" in by_count[1]
    assert ", 0 errors" in by_count[1]
    assert by_time[0] == 0, by_time[1]
    timed = int(by_time[1].split("sent ")[1].split(" ")[0])
    assert 45 <= timed <= 60  # 40/s for 1.5 s (a busy machine may fall a little behind)
    seconds = float(by_count[1].split(" events in ")[1].split(" s ")[0])
    assert 1.3 <= seconds < 10  # paced at the rate (300 at 200/s), not all at once
    sales = [PurchaseRecorded.model_validate_json(r.value or b"") for r in records]
    assert len(sales) == 300 + timed == len({s.purchase_id for s in sales})


async def test_simulate_refuses_a_broker_that_is_not_this_machine() -> None:
    code, out = await clientele("pos", "simulate", "--kafka", "10.1.2.3:9092", "--count", "1")
    assert code == 2
    assert "10.1.2.3 is not this machine" in out and "--allow-remote" in out
