"""One place where what cannot be processed is parked in `<topic>.dlq`.

A FastStream middleware wraps every subscriber. When a handler (or FastStream's own
decoding) fails:

- a *transient* failure (the store or the broker is unreachable) is not the message's
  fault: wait a little and let the ack policy (NACK_ON_ERROR) rewind to the message,
  so it is redelivered and nothing is lost;
- anything else (bad JSON, a contract violation, a domain rejection, a bug) is
  poison: the original bytes and headers go to `<topic>.dlq` with the error, and the
  message is acknowledged so the consumer moves on.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from types import TracebackType
from typing import Any

import structlog
from aiokafka import ConsumerRecord
from aiokafka.errors import KafkaError, MessageSizeTooLargeError, RecordTooLargeError
from faststream import BaseMiddleware
from pymongo.errors import ConnectionFailure, ExecutionTimeout, WriteConcernError

from shared.logging import get_logger
from shared.messaging.batches import records_of
from shared.messaging.correlation import HEADER as CORRELATION_HEADER
from shared.messaging.correlation import bind_correlation_id
from shared.messaging.topics import DLQ_SUFFIX
from shared.metrics import MESSAGES_CONSUMED, MESSAGES_DEAD_LETTERED, MESSAGES_FAILED

log = get_logger(__name__)

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionFailure,
    ExecutionTimeout,
    WriteConcernError,
    KafkaError,
    TimeoutError,
    OSError,
)
# Kafka errors that retrying cannot fix: the message itself is too large.
TOO_LARGE_ERRORS: tuple[type[BaseException], ...] = (MessageSizeTooLargeError, RecordTooLargeError)
MAX_REASON_CHARS = 4000
TRUNCATED_BYTES = 64 * 1024

DeadLetterSender = Callable[
    [str, bytes | None, bytes | None, list[tuple[str, bytes]]], Awaitable[None]
]


# Records of the message in hand that its handler parked one by one (the pipeline
# does): failed and not consumed, as a message of one record that raised. A fresh
# counter per message (`on_receive`); None outside a message.
_PARKED_ONE_BY_ONE: ContextVar[Counter[str] | None] = ContextVar("parked_one_by_one", default=None)


def count_parked(topic: str) -> None:
    """Say that a record of the message in hand was parked by its handler."""
    parked = _PARKED_ONE_BY_ONE.get()
    if parked is not None:
        parked[topic] += 1


class Unprocessable(Exception):
    """A well-formed message that the domain cannot accept (goes to the DLQ)."""


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, TRANSIENT_ERRORS) and not isinstance(exc, TOO_LARGE_ERRORS)


def describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text[:MAX_REASON_CHARS]


def dead_letter_headers(
    record: ConsumerRecord[Any, Any], reason: str, service: str
) -> list[tuple[str, bytes]]:
    original = [(k, v) for k, v in (record.headers or ()) if not k.startswith("x-dlq-")]
    return [
        *original,
        ("x-dlq-reason", reason.encode()),
        ("x-dlq-original-topic", record.topic.encode()),
        ("x-dlq-original-partition", str(record.partition).encode()),
        ("x-dlq-original-offset", str(record.offset).encode()),
        ("x-dlq-service", service.encode()),
    ]


async def park(
    send: DeadLetterSender, record: ConsumerRecord[Any, Any], reason: str, service: str
) -> None:
    """Send one record to its topic's DLQ, keeping its key, bytes and headers."""
    headers = dead_letter_headers(record, reason, service)
    try:
        await send(record.topic + DLQ_SUFFIX, record.key, record.value, headers)
    except TOO_LARGE_ERRORS:
        # Retrying would block the partition for good: park the head of the bytes, say so.
        size = len(record.value or b"")
        headers.append(("x-dlq-truncated-from-bytes", str(size).encode()))
        value = (record.value or b"")[:TRUNCATED_BYTES]
        await send(record.topic + DLQ_SUFFIX, record.key, value, headers)
    MESSAGES_DEAD_LETTERED.labels(service=service, topic=record.topic).inc()
    log.warning(
        "message_dead_lettered",
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        reason=reason,
    )


def header_of(record: ConsumerRecord[Any, Any], name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name:
            return bytes(value).decode(errors="replace")
    return None


def _event_id(record: ConsumerRecord[Any, Any]) -> str | None:
    try:
        value = json.loads(record.value or b"")
    except ValueError:
        return None
    return str(value.get("event_id")) if isinstance(value, dict) else None


def _count_processed(
    records: tuple[ConsumerRecord[Any, Any], ...], parked: Counter[str], service: str
) -> None:
    # One counter update per topic of the batch, not one per record.
    for topic, n in Counter(r.topic for r in records).items():
        MESSAGES_CONSUMED.labels(service=service, topic=topic).inc(n - parked[topic])
    for topic, n in parked.items():
        MESSAGES_FAILED.labels(service=service, topic=topic).inc(n)


def dead_letter_middleware(
    send: DeadLetterSender, service: str, retry_delay_s: float = 1.0
) -> Callable[..., BaseMiddleware]:
    """Build the middleware class for one broker (it needs the broker's producer)."""

    class DeadLetterMiddleware(BaseMiddleware):
        async def on_receive(self) -> None:
            _PARKED_ONE_BY_ONE.set(Counter())
            _bind_log_context(self._records())

        def _records(self) -> tuple[ConsumerRecord[Any, Any], ...]:
            msg = self.msg  # a record, or a batch's tuple of them
            return records_of(msg) if isinstance(msg, tuple | ConsumerRecord) else ()

        async def after_processed(
            self,
            exc_type: type[BaseException] | None = None,
            exc_val: BaseException | None = None,
            exc_tb: TracebackType | None = None,
        ) -> bool | None:
            records = self._records()
            try:
                if exc_val is None:
                    _count_processed(records, _PARKED_ONE_BY_ONE.get() or Counter(), service)
                    return False
                if not isinstance(exc_val, Exception):
                    return False  # cancellation / shutdown: not the message's fault
                return await _settle_failure(exc_val, records, send, service, retry_delay_s)
            finally:
                structlog.contextvars.unbind_contextvars("topic", "event_id")

    return DeadLetterMiddleware


def _bind_log_context(records: tuple[ConsumerRecord[Any, Any], ...]) -> None:
    """The correlation id (and, for one record, topic and event id) on every log line."""
    if not records:
        return
    first = records[0]
    bind_correlation_id(header_of(first, CORRELATION_HEADER) or header_of(first, "correlation_id"))
    if len(records) == 1:
        structlog.contextvars.bind_contextvars(topic=first.topic, event_id=_event_id(first))


async def _settle_failure(
    exc: Exception,
    records: tuple[ConsumerRecord[Any, Any], ...],
    send: DeadLetterSender,
    service: str,
    retry_delay_s: float,
) -> bool:
    """A transient failure is retried (False: not acknowledged, redelivered); any other
    parks the records in the dead-letter topic (True: acknowledged)."""
    topic = records[0].topic if records else "?"
    MESSAGES_FAILED.labels(service=service, topic=topic).inc()
    if is_transient(exc):
        log.warning("message_retry_later", topic=topic, error=describe(exc))
        await asyncio.sleep(retry_delay_s)
        return False  # NACK_ON_ERROR rewinds: redelivered, nothing lost
    reason = describe(exc)
    for record in records:
        await park(send, record, reason, service)
    return True  # parked: acknowledge and move on
