"""Batch subscribers that leave decoding to the handler.

FastStream's default batch decoder builds a full message object per record (a uuid4
correlation id each) and JSON-decodes every body before the handler runs: in the
consumer-overhead benchmark that was about half of the subscriber's time. A batch
handler that validates each record itself (one bad record must not spoil the batch)
needs none of it: pass `decoder=undecoded` and read `message.raw_message`, the tuple
of aiokafka `ConsumerRecord`s:

    @broker.subscriber(topic, batch=True, decoder=undecoded, **subscriber_options(s))
    async def on_batch(body: NoCast[list[MyEvent]], message: KafkaMessage) -> None:
        records = records_of(message.raw_message)
"""

from __future__ import annotations

from typing import Any

from aiokafka import ConsumerRecord


async def undecoded(message: Any) -> Any:
    """A decoder that decodes nothing (the handler reads the raw records)."""
    return None


def records_of(raw: Any) -> tuple[ConsumerRecord[Any, Any], ...]:
    """The records of a batch message's `raw_message` (a single record as a 1-tuple)."""
    return raw if isinstance(raw, tuple) else (raw,)
