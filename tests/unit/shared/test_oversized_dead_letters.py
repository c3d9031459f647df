"""A message too large for its DLQ is parked truncated instead of blocking its partition."""

from aiokafka import ConsumerRecord
from aiokafka.errors import KafkaConnectionError, MessageSizeTooLargeError

from shared.messaging.dead_letters import TRUNCATED_BYTES, is_transient, park


def big_record(size: int) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic="client.registered",
        partition=0,
        offset=7,
        timestamp=0,
        timestamp_type=0,
        key=b"k",
        value=b"x" * size,
        checksum=None,
        serialized_key_size=1,
        serialized_value_size=size,
        headers=[],
    )


def test_too_large_is_poison_but_a_lost_connection_is_transient() -> None:
    assert not is_transient(MessageSizeTooLargeError())
    assert is_transient(KafkaConnectionError("broker restarting"))


async def test_a_body_too_large_for_the_dlq_is_parked_truncated_with_its_size() -> None:
    sent: list[tuple[str, bytes | None, dict[str, bytes]]] = []

    async def send(
        topic: str, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]
    ) -> None:
        if value is not None and len(value) > TRUNCATED_BYTES:
            raise MessageSizeTooLargeError()
        sent.append((topic, value, dict(headers)))

    await park(send, big_record(5_000_000), "too big", "loyalty")

    [(topic, value, headers)] = sent
    assert topic == "client.registered.dlq"
    assert value is not None and len(value) == TRUNCATED_BYTES
    assert headers["x-dlq-truncated-from-bytes"] == b"5000000"
    assert headers["x-dlq-reason"] == b"too big"
