"""Pre-produce a bounded number of events to a topic, as its own process (loopback).

`python -m bench.produce --topic T --count N [--kind plain|purchase] [--duplicates K]`
declares the topic (and its DLQ) with `--partitions`, sends N events (each K times)
with an idempotent producer, and prints one JSON line with what it sent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Iterator
from uuid import uuid4

from aiokafka import AIOKafkaProducer

from shared.messaging.topics import declare_topics

PURCHASE_TOPICS = ("client.registered", "purchase.recorded", "bonus.accrued")


def plain_events(count: int) -> Iterator[tuple[bytes, bytes]]:
    for n in range(count):
        body = {"event_id": str(uuid4()), "schema_version": 1, "n": n, "pad": "x" * 120}
        yield f"k{n % 1000}".encode(), json.dumps(body).encode()


def records(args: argparse.Namespace) -> Iterator[tuple[str, tuple[bytes, bytes]]]:
    if args.kind == "plain":
        for record in plain_events(args.count):
            yield args.topic, record
        return
    from bench import purchase_data

    if not args.skip_clients:
        for record in purchase_data.clients(args.clients):
            yield f"{args.prefix}client.registered", record
    for n in range(args.count):
        yield f"{args.prefix}purchase.recorded", purchase_data.purchase(n, args.clients, "bench")


async def produce(args: argparse.Namespace) -> dict[str, object]:
    topics = (
        [args.topic] if args.kind == "plain" else [f"{args.prefix}{t}" for t in PURCHASE_TOPICS]
    )
    await declare_topics(args.bootstrap, topics, args.partitions, max_message_bytes=4 << 20)
    producer = AIOKafkaProducer(
        bootstrap_servers=args.bootstrap,
        enable_idempotence=True,
        linger_ms=5,
        max_batch_size=256 * 1024,
    )
    await producer.start()
    started = time.perf_counter()
    sent = 0
    try:
        pending = []
        for topic, (key, value) in records(args):
            pending.append(await producer.send(topic, value, key=key))
            sent += 1
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return {"sent": sent, "elapsed_s": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--topic", default="")
    parser.add_argument("--kind", choices=("plain", "purchases"), default="plain")
    parser.add_argument("--prefix", default="", help="topic prefix for --kind purchases")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument(
        "--skip-clients", action="store_true", help="purchases only (clients sent before)"
    )
    parser.add_argument("--partitions", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(asyncio.wait_for(produce(args), 600 + args.count / 200))))


if __name__ == "__main__":
    main()
