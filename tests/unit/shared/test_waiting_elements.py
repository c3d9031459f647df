"""A parked event keeps what the DLQ needs: its bytes, key, headers and origin."""

from __future__ import annotations

from datetime import UTC, datetime

from aiokafka import ConsumerRecord

from shared.messaging.waiting import ClientNotKnownYet, as_record, parked_element


def test_a_parked_event_becomes_the_same_record_again() -> None:
    body = b'{"event_id": "e-1", "purchase_id": "p-1"}'
    record: ConsumerRecord[bytes, bytes] = ConsumerRecord(
        topic="t.purchase.recorded", partition=2, offset=41, timestamp=0, timestamp_type=0,
        key=b"4000123", value=body, checksum=None, serialized_key_size=7,
        serialized_value_size=len(body), headers=[("x-correlation-id", b"c-9")],
    )  # fmt: skip
    at = datetime(2026, 11, 23, 12, 0, 0, 123456, tzinfo=UTC)
    element = parked_element(record, ["card:4000123"], "unknown_client", at)
    again = as_record(element)
    assert element["event_id"] == "e-1"
    assert element["at"].microsecond == 123000  # what the store keeps, so $pullAll matches
    assert (again.topic, again.partition, again.offset) == ("t.purchase.recorded", 2, 41)
    assert (again.key, again.value) == (b"4000123", body)
    assert again.headers == [("x-correlation-id", b"c-9")]


def test_a_client_named_twice_is_waited_for_once() -> None:
    waiting = ClientNotKnownYet(["card:1", "phone:+49", "card:1"])
    assert waiting.keys == ["card:1", "phone:+49"]
    assert waiting.reason == "unknown_client"
