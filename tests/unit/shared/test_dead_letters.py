from aiokafka import ConsumerRecord
from pydantic import BaseModel, ValidationError
from pymongo.errors import AutoReconnect

from shared.messaging.dead_letters import dead_letter_headers, describe, is_transient


def record(headers: list[tuple[str, bytes]]) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic="client.registered",
        partition=2,
        offset=41,
        timestamp=0,
        timestamp_type=0,
        key=b"k",
        value=b"{bad",
        checksum=None,
        serialized_key_size=1,
        serialized_value_size=4,
        headers=headers,
    )


def test_store_outage_is_transient_and_a_bad_message_is_not() -> None:
    class M(BaseModel):
        x: int

    try:
        M.model_validate({"x": "nope"})
    except ValidationError as exc:
        assert not is_transient(exc)
    assert is_transient(AutoReconnect("store restarting"))


def test_dead_letter_keeps_original_headers_and_says_where_it_came_from() -> None:
    headers = dead_letter_headers(record([("x-correlation-id", b"abc")]), "boom", "loyalty")
    as_dict = dict(headers)
    assert as_dict["x-correlation-id"] == b"abc"
    assert as_dict["x-dlq-reason"] == b"boom"
    assert as_dict["x-dlq-original-topic"] == b"client.registered"
    assert as_dict["x-dlq-original-offset"] == b"41"


def test_reason_is_bounded() -> None:
    assert len(describe(ValueError("x" * 10_000))) <= 4000
