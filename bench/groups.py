"""Consumer-group progress on a topic, read from Kafka (committed vs end offsets).

Cheap enough to poll every half second, and unlike counting documents in the store it
costs the store nothing: FerretDB answers `count_documents` by reading every document,
which at a million receipts would disturb what it measures.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient


class Groups:
    """Committed offsets of the consumer groups named `prefix*` on one topic."""

    def __init__(self, bootstrap: str, topic: str, prefix: str) -> None:
        self.bootstrap, self.topic, self.prefix = bootstrap, topic, prefix
        self.admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        self.consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
        self.parts: list[TopicPartition] = []

    async def __aenter__(self) -> Groups:
        await self.admin.start()
        await self.consumer.start()
        await self.consumer._client.set_topics([self.topic])  # its metadata, not all topics'
        numbers = self.consumer.partitions_for_topic(self.topic)
        while not numbers:  # a topic just created: its metadata lags
            await asyncio.sleep(0.2)
            await self.consumer._client.force_metadata_update()
            numbers = self.consumer.partitions_for_topic(self.topic)
        self.parts = [TopicPartition(self.topic, p) for p in sorted(numbers)]
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.consumer.stop()
        await self.admin.close()

    async def end(self) -> int:
        ends = await self.consumer.end_offsets(self.parts)
        return sum(ends.values())

    async def committed(self, group: str) -> int:
        """Records of the topic `group` has committed (0 for partitions it has not)."""
        offsets = await self.admin.list_consumer_group_offsets(group, partitions=self.parts)
        return sum(max(meta.offset, 0) for tp, meta in offsets.items() if tp in self.parts)

    async def committed_groups(self) -> list[str]:
        """The groups of `prefix` that have committed anything on the topic.
        (aiokafka 0.14's DescribeGroups cannot decode Kafka 4's answer, so a group's
        subscription is not readable; what it committed is.)"""
        names = [g for g, *_ in await self.admin.list_consumer_groups()]
        mine = sorted(g for g in names if g.startswith(self.prefix))
        counts = await asyncio.gather(*(self.committed(g) for g in mine))
        return [g for g, n in zip(mine, counts, strict=True) if n > 0]

    async def wait_caught_up(self, groups: Iterable[str], timeout_s: float) -> float:
        """Seconds until every group has committed the topic's end; raises on timeout."""
        started, wanted = time.monotonic(), list(groups)
        while True:
            end = await self.end()
            behind = [g for g in wanted if await self.committed(g) < end]
            if not behind:
                return time.monotonic() - started
            if time.monotonic() - started > timeout_s:
                raise TimeoutError(f"{behind} still behind on {self.topic} after {timeout_s}s")
            await asyncio.sleep(0.2)


def crossing(samples: list[tuple[float, int]], count: int) -> float:
    """When `count` records were committed, interpolated between (time, committed)
    samples taken every half second."""
    for (t0, n0), (t1, n1) in itertools.pairwise(samples):
        if n0 <= count <= n1:
            return t0 if n1 == n0 else t0 + (t1 - t0) * (count - n0) / (n1 - n0)
    raise ValueError(f"{count} was never crossed (last sample {samples[-1] if samples else None})")
