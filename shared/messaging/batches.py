"""Batch subscribers that hand the handler the raw records, undecoded.

FastStream's default batch decoder builds a full message object per record (a uuid4
correlation id each) and JSON-decodes every body before the handler runs: in the
consumer-overhead benchmark that was about half of the subscriber's time. A batch
handler that validates each record itself (one bad record must not spoil the batch)
needs none of it, nor the dict of headers FastStream's batch parser decodes for every
record. `**raw_batch()` sets both: the body the handler gets is the tuple of aiokafka
`ConsumerRecord`s.

    @broker.subscriber(topic, batch=True, **raw_batch(), **subscriber_options(s))
    async def on_batch(records: NoCast[list[MyEvent]]) -> None:
        for record in records_of(records):  # ConsumerRecord: .value, .key, .offset
            ...

`NoCast[...]` keeps the contract's name in the AsyncAPI document without validating;
it (like a `message: KafkaMessage` parameter) is a FastDepends custom field, resolved
in a worker thread with a task group once per batch. `records: Any` skips even that
(docs/benchmarks.md has both figures).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import ConsumerRecord


async def first_headers_only(records: Any, original: Callable[..., Awaitable[Any]]) -> Any:
    """A batch parser: FastStream's, given only the first record (its headers become the
    message's, as they do anyway), then handed the whole batch as `raw_message`.
    FastStream's own decodes every record's headers into a dict nobody reads."""
    batch = records_of(records)
    message = await original(batch[:1])
    message.raw_message = batch
    return message


async def raw_records(message: Any) -> Any:
    """A decoder that decodes nothing: the body is the batch's records as a tuple."""
    return records_of(message.raw_message)


def raw_batch() -> dict[str, Any]:
    """Subscriber options for a batch handler that reads the raw records itself."""
    return {"parser": first_headers_only, "decoder": raw_records}


def records_of(raw: Any) -> tuple[ConsumerRecord[Any, Any], ...]:
    """The records of a batch body or `raw_message` (a single record as a 1-tuple)."""
    if isinstance(raw, tuple):
        return raw
    return tuple(raw) if isinstance(raw, list) else (raw,)
