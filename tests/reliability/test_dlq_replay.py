"""Events parked by a broken consumer are re-processed by `clientele dlq replay` once
the consumer is fixed; replaying them again changes nothing."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from pymongo import AsyncMongoClient

from services.loyalty.config import LoyaltySettings
from shared.contracts import ClientRegistered
from shared.messaging.broker import create_broker, subscriber_options
from shared.messaging.dead_letters import Unprocessable
from shared.messaging.topics import declare_topics
from tests.conftest import Slate
from tests.reliability.sizing import report, scaled
from tests.support.infra import ROOT
from tests.support.kafka import eventually, produce, read_topic
from tests.support.processes import ServiceProcess


async def park_everything_like_a_buggy_release(slate: Slate, expected: int) -> None:
    """The loyalty consumer group, with a bug that rejects every event (-> DLQ)."""
    settings = LoyaltySettings(**slate.settings_kwargs("loyalty"))
    broker = create_broker(settings)
    rejected = 0

    @broker.subscriber(  # type: ignore[untyped-decorator,unused-ignore]
        slate.topic(ClientRegistered.TOPIC), **subscriber_options(settings)
    )
    async def buggy(event: ClientRegistered) -> None:
        nonlocal rejected
        rejected += 1
        raise Unprocessable("bug 1234: every account rejected")

    await broker.start()
    try:
        parked = await read_topic(
            slate.infra.kafka, slate.topic(ClientRegistered.TOPIC) + ".dlq", expect=expected
        )
        assert len(parked) == expected
    finally:
        await broker.stop()


def clientele(slate: Slate, *args: str) -> str:
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": slate.infra.kafka,
        "CLIENTELE_TOPIC_PREFIX": slate.prefix,
    }
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def summary(output: str) -> str:
    return next(line for line in output.splitlines() if "event(s) from" in line)


async def test_dlq_replay_reprocesses_parked_events_after_a_fix_and_twice_changes_nothing(
    slate: Slate, spawn: Callable[..., ServiceProcess], mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    total = scaled(20, 300)
    topic = slate.topic(ClientRegistered.TOPIC)
    events = [ClientRegistered(client_id=f"r-{n}", name="Replay") for n in range(total)]
    await declare_topics(slate.infra.kafka, [topic], 3)
    await asyncio.gather(
        *(produce(slate.infra.kafka, topic, e.model_dump_json().encode()) for e in events)
    )
    await park_everything_like_a_buggy_release(slate, total)

    fixed = spawn("loyalty")  # same consumer group: it starts after the parked events
    fixed.wait_healthy()
    db = mongo[slate.db_name("loyalty")]
    assert await db.accounts.count_documents({}) == 0

    dry = clientele(slate, "dlq", "replay", "client.registered", "--dry-run")
    first = clientele(slate, "dlq", "replay", "client.registered")

    async def all_opened() -> bool:
        return await db.accounts.count_documents({}) == total

    await eventually(all_opened, timeout_s=120)
    again = clientele(slate, "dlq", "replay", "client.registered")  # nothing new parked
    everything = clientele(slate, "dlq", "replay", "client.registered", "--from-beginning")

    async def duplicates_seen() -> bool:
        return fixed.log_text().count("duplicate_event_ignored") >= total

    await eventually(duplicates_seen, timeout_s=120)
    report(
        "dlq replay",
        parked=total,
        accounts=await db.accounts.count_documents({}),
        dry_run=summary(dry),
        first=summary(first),
        second=summary(again),
        from_beginning=summary(everything),
    )
    assert f"would replay {total} event(s)" in dry
    assert f"replayed {total} event(s)" in first
    assert f"{total}  Unprocessable" in first  # the reasons are listed
    assert "replayed 0 event(s)" in again
    assert f"replayed {total} event(s)" in everything
    assert await db.accounts.count_documents({}) == total  # the accounts are the dedup records
