"""What the consumer fetch settings add to a record's latency, without any handler work.

`uv run python -m bench.fetch_latency [--rate 10] [--seconds 30] [--sides 500/200,50/20]`

FastStream batch subscribers built the project's way (`create_broker`,
`subscriber_options`, `raw_batch()`), each on its own topic of 3 partitions and
doing nothing, one per `fetch_max_wait_ms/batch_timeout_ms` pair of `--sides`
(500/200: aiokafka's default fetch wait and loyalty's purchase batch timeout). All run
at once (the same neighbours' load) and get the same open-loop trickle; the latency
is from a record's scheduled send to its handler call. Structural waits (a fetch held
at the broker for partitions with no data, FastStream's sleep after an empty poll)
would show as p95/p99 far above p50 on the side with the longer settings.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any
from uuid import uuid4

from aiokafka import AIOKafkaProducer
from faststream import NoCast

from bench.common import clean_up, infra_env, percentile
from shared.messaging.batches import raw_batch
from shared.messaging.broker import create_broker, subscriber_options
from shared.messaging.topics import declare_topics
from shared.settings import ServiceSettings


async def run(
    rate: float, seconds: float, sides: dict[str, tuple[int, int]]
) -> dict[str, dict[str, float]]:
    bootstrap, tag = infra_env()["KAFKA_BOOTSTRAP_SERVERS"], f"fl{uuid4().hex[:8]}"
    topics = {side: f"{tag}.side{n}" for n, side in enumerate(sides)}
    await declare_topics(bootstrap, list(topics.values()), 3)
    settings = ServiceSettings(kafka_bootstrap_servers=bootstrap, service_name=tag)
    broker = create_broker(settings)
    seen: dict[str, dict[str, float]] = {side: {} for side in sides}
    for n, (side, (fetch_ms, batch_ms)) in enumerate(sides.items()):
        options = subscriber_options(settings, group=f"g{n}") | {"fetch_max_wait_ms": fetch_ms}
        broker.subscriber(  # type: ignore[call-overload]
            topics[side], batch=True, max_records=500, batch_timeout_ms=batch_ms,
            **raw_batch(), **options,
        )(recorder(seen[side]))  # fmt: skip
    await broker.start()
    try:
        await asyncio.sleep(5)  # both groups joined
        sent = await trickle(bootstrap, list(topics.values()), rate, seconds)
        await asyncio.sleep(3)
    finally:
        await broker.stop()
        await asyncio.to_thread(clean_up, infra_env(), f"{tag}.")
    return {side: summary(sent, seen[side]) for side in sides}


def recorder(seen: dict[str, float]) -> Any:
    async def handler(records: NoCast[list[Any]]) -> None:
        now = time.monotonic()
        for record in records:
            seen.setdefault(json.loads(record.value)["id"], now)

    return handler


async def trickle(
    bootstrap: str, topics: list[str], rate: float, seconds: float
) -> dict[str, float]:
    """Record n (the same id to every topic) at start + n / rate; id -> scheduled time."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=0)
    await producer.start()
    sent: dict[str, float] = {}
    try:
        t0 = time.monotonic() + 0.2
        for n in range(int(rate * seconds)):
            at = t0 + n / rate
            if (wait := at - time.monotonic()) > 0:
                await asyncio.sleep(wait)
            sent[str(n)] = at
            body = json.dumps({"id": str(n)}).encode()
            for topic in topics:
                await producer.send(topic, body, key=str(n).encode())
    finally:
        await producer.stop()
    return sent


def summary(sent: dict[str, float], seen: dict[str, float]) -> dict[str, float]:
    ms = [(seen[i] - at) * 1000 for i, at in sent.items() if i in seen]
    return {
        **{f"p{q:g}": round(percentile(ms, q), 1) for q in (50, 95, 99)},
        "max": round(max(ms, default=float("nan")), 1), "seen": len(ms), "sent": len(sent),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=10)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--sides", default="500/200,50/20", help="fetch_ms/batch_ms,...")
    args = parser.parse_args()
    sides = {
        f"fetch {f} ms, batch {b} ms": (int(f), int(b))
        for f, b in (pair.split("/") for pair in args.sides.split(","))
    }
    rows = asyncio.run(run(args.rate, args.seconds, sides))
    print(
        f"| settings @ {args.rate:g}/s | p50 | p95 | p99 | max | seen |\n|---|---|---|---|---|---|"
    )
    for side, r in rows.items():
        figures = " | ".join(str(r[k]) for k in ("p50", "p95", "p99", "max"))
        print(f"| {side} | {figures} | {r['seen']:.0f}/{r['sent']:.0f} |")


if __name__ == "__main__":
    main()
