"""Which send errors mean "replace the producer", and that concurrent senders who all
see a broken producer replace it once. (On the real broker: tests/integration/shared.)"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka.errors import (
    KafkaConnectionError,
    KafkaError,
    KafkaTimeoutError,
    LeaderNotAvailableError,
    MessageSizeTooLargeError,
    NotLeaderForPartitionError,
    OutOfOrderSequenceNumber,
    ProducerFenced,
    UnknownProducerId,
    UnknownTopicOrPartitionError,
)

from shared.messaging.producer import ResilientProducer, needs_new_producer


@pytest.mark.parametrize(
    "error",
    [
        OutOfOrderSequenceNumber(),
        UnknownProducerId(),
        ProducerFenced(),
        NotLeaderForPartitionError(),  # an expired batch: its sequence number is lost
        LeaderNotAvailableError(),
        KafkaError("Unexpected error during batch delivery"),  # the sender task died
    ],
)
def test_a_broken_idempotence_state_needs_a_new_producer(error: Exception) -> None:
    assert needs_new_producer(error)


@pytest.mark.parametrize(
    "error",
    [
        MessageSizeTooLargeError(),  # the message's fault: parked, not retried
        KafkaTimeoutError(),
        KafkaConnectionError(),  # the broker is away: the same producer reconnects
        UnknownTopicOrPartitionError(),
        TimeoutError(),
    ],
)
def test_other_errors_keep_the_producer(error: Exception) -> None:
    assert not needs_new_producer(error)


class FakeProducer:
    """Fails every send with `error` while `broken`; records what it sent."""

    def __init__(self, broken: bool) -> None:
        self.broken = broken
        self.sent: list[bytes] = []
        self.stopped = False

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        self.stopped = True

    async def send_and_wait(self, topic: str, value: bytes, **_: Any) -> None:
        await asyncio.sleep(0)
        if self.broken:
            raise OutOfOrderSequenceNumber()
        self.sent.append(value)


async def test_concurrent_senders_on_a_broken_producer_replace_it_once_and_all_deliver() -> None:
    made: list[FakeProducer] = []

    def factory() -> Any:
        made.append(FakeProducer(broken=not made))  # the first one is broken
        return made[-1]

    producer = ResilientProducer(factory, "test")
    await asyncio.gather(
        *(producer.send_and_wait("t", str(n).encode(), None, []) for n in range(20))
    )
    await producer.stop()
    assert producer.replacements == 1
    assert len(made) == 2 and made[0].stopped and made[1].stopped
    assert sorted(made[1].sent) == sorted(str(n).encode() for n in range(20))


async def test_a_producer_broken_again_after_its_replacement_fails_the_send() -> None:
    producer = ResilientProducer(lambda: FakeProducer(broken=True), "test")
    with pytest.raises(OutOfOrderSequenceNumber):
        await producer.send_and_wait("t", b"x", None, [])
    await producer.stop()
    assert producer.replacements == 2  # one per attempt; the next send starts afresh
