"""Consumer overhead: a FastStream batch subscriber doing nothing, built the project's
way (`create_broker` + `subscriber_options`: DLQ middleware, commit after processing),
against aiokafka `getmany` + `commit`, both reading the same pre-produced events with
a fresh consumer group each round. Throughput = events / (last event - first event).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any
from uuid import uuid4

from aiokafka import AIOKafkaConsumer
from faststream import NoCast

from bench.common import PY, Result, Side, clean_up, interleave, note_cpu, quick, run_json
from shared.messaging.batches import raw_batch
from shared.messaging.broker import create_broker, subscriber_options
from shared.settings import ServiceSettings

MAX_RECORDS = 500


class Clock:
    def __init__(self, expected: int) -> None:
        self.expected, self.seen = expected, 0
        self.first = self.last = 0.0
        self.done = asyncio.Event()

    def count(self, n: int) -> None:
        if not self.seen:
            self.first = time.perf_counter()
        self.seen += n
        if self.seen >= self.expected:
            self.last = time.perf_counter()
            self.done.set()

    def rate(self) -> float:
        return self.seen / (self.last - self.first) if self.last > self.first else 0.0


async def faststream_side(
    bootstrap: str, topic: str, expected: int, decode: str = "project"
) -> float:
    settings = ServiceSettings(kafka_bootstrap_servers=bootstrap, service_name="bench")
    broker = create_broker(settings)
    clock = Clock(expected)

    @broker.subscriber(  # type: ignore[untyped-decorator,unused-ignore]
        topic,
        batch=True,
        max_records=MAX_RECORDS,
        # As the project's batch consumers are built (loyalty's purchases): the handler
        # validates each record itself, so FastStream decodes nothing.
        **(raw_batch() if decode == "project" else {}),
        **subscriber_options(settings, group=f"bench-fs-{uuid4().hex[:8]}"),
    )
    async def nothing(records: NoCast[list[Any]]) -> None:
        clock.count(len(records))

    await broker.start()
    try:
        await asyncio.wait_for(clock.done.wait(), 300)
    finally:
        await broker.stop()
    return clock.rate()


async def aiokafka_side(bootstrap: str, topic: str, expected: int) -> float:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"bench-raw-{uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    clock = Clock(expected)
    await consumer.start()
    try:
        deadline = time.monotonic() + 300
        while not clock.done.is_set() and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=200, max_records=MAX_RECORDS)
            n = sum(len(records) for records in batches.values())
            if n:
                await consumer.commit()
                clock.count(n)
    finally:
        await consumer.stop()
    return clock.rate()


def consumer_overhead(infra: dict[str, str], rounds: int) -> Result:
    bootstrap = infra["KAFKA_BOOTSTRAP_SERVERS"]
    count = 20_000 if quick() else 200_000
    topic = f"bench-{uuid4().hex[:8]}.consumer.overhead"
    produce = [PY, "-m", "bench.produce", "--bootstrap", bootstrap, "--topic", topic]
    sent = run_json([*produce, "--count", str(count)], timeout_s=600)
    print(f"  produced {sent['sent']:,} events to {topic} in {sent['elapsed_s']:.1f}s", flush=True)
    result = Result(
        "consumer overhead",
        "events/s",
        0.80,
        Side("FastStream batch subscriber (project broker)"),
        Side("aiokafka getmany + commit"),
    )
    result.notes.append(f"{count:,} events of ~200 bytes, 3 partitions, batches of {MAX_RECORDS}")

    def measured(side: Side, run: Callable[[], Coroutine[Any, Any, float]]) -> float:
        started = time.process_time()  # this process, all threads: start to stop
        rate = asyncio.run(run())
        note_cpu(side, {"consumer": time.process_time() - started}, count)
        return rate

    try:
        interleave(
            rounds,
            lambda: measured(result.project, lambda: faststream_side(bootstrap, topic, count)),
            lambda: measured(result.baseline, lambda: aiokafka_side(bootstrap, topic, count)),
            result,
        )
    finally:
        clean_up(infra, topic)
    return result
