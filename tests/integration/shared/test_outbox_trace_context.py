"""An event waiting in the outbox keeps the trace context it was written in: published at
once or by the relay after a crash, its Kafka record continues the request's trace."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from pymongo import AsyncMongoClient

from shared import tracing
from shared.contracts import ClientRegistered
from shared.messaging.broker import EventPublisher, create_broker
from shared.messaging.topics import declare_topics
from shared.settings import ServiceSettings
from shared.store.outbox import OUTBOX_FIELD, TRACE_FIELD, Outbox
from tests.conftest import Slate
from tests.support.kafka import read_topic


@pytest.fixture
def traced(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tracing on, with OpenTelemetry's default (no-op) provider: its spans carry their
    # parent's context, so what is propagated is exactly what the outbox kept.
    monkeypatch.setitem(tracing._state, "enabled", True)


@pytest.fixture
async def outbox(slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]) -> AsyncIterator[Outbox]:
    settings = ServiceSettings(**slate.settings_kwargs("registry"), service_name="registry")
    await declare_topics(slate.infra.kafka, [slate.topic("client.registered")], 1)
    broker = create_broker(settings)
    publisher = EventPublisher(broker, settings)
    try:
        yield Outbox(mongo[slate.db_name("registry")], publisher)
    finally:
        await publisher.stop()


@pytest.fixture
def request_trace() -> Iterator[str]:
    """A request's trace context made current, as an instrumented request would; its id."""
    trace_id = secrets.randbits(128)
    span = SpanContext(trace_id, secrets.randbits(64), True, TraceFlags(TraceFlags.SAMPLED))
    token = otel_context.attach(trace.set_span_in_context(NonRecordingSpan(span)))
    try:
        yield f"{trace_id:032x}"
    finally:
        otel_context.detach(token)


def traceparent(record: Any) -> str:
    return dict(record.headers)["traceparent"].decode()


@pytest.mark.usefixtures("traced")
async def test_the_relay_publishes_a_crashed_writes_event_in_the_writers_trace(
    slate: Slate, outbox: Outbox, request_trace: str
) -> None:
    event = ClientRegistered(client_id="t-1", name="Ada")
    await outbox.insert("clients", {"_id": "t-1"}, [event])  # ...and the process died
    doc = await outbox.db.clients.find_one({"_id": "t-1"})
    assert doc is not None
    assert doc[OUTBOX_FIELD][0][TRACE_FIELD]["traceparent"].split("-")[1] == request_trace

    token = otel_context.attach(otel_context.Context())  # the relay: no request around it
    try:
        assert await outbox.relay_once() == 1
    finally:
        otel_context.detach(token)
    [record] = await read_topic(slate.infra.kafka, slate.topic("client.registered"), expect=1)
    assert traceparent(record).split("-")[1] == request_trace


@pytest.mark.usefixtures("traced")
async def test_an_event_written_outside_any_trace_carries_no_trace_context(
    slate: Slate, outbox: Outbox
) -> None:
    entries = await outbox.insert(
        "clients", {"_id": "t-2"}, [ClientRegistered(client_id="t-2", name="A")]
    )
    assert TRACE_FIELD not in entries[0]
    await outbox.flush("clients", "t-2", entries)
    [record] = await read_topic(slate.infra.kafka, slate.topic("client.registered"), expect=1)
    assert "traceparent" not in dict(record.headers)


async def test_with_tracing_off_entries_and_records_are_as_before(
    slate: Slate, outbox: Outbox, request_trace: str
) -> None:
    entries = await outbox.insert(
        "clients", {"_id": "t-3"}, [ClientRegistered(client_id="t-3", name="A")]
    )
    assert TRACE_FIELD not in entries[0]
    await outbox.flush("clients", "t-3", entries)
    [record] = await read_topic(slate.infra.kafka, slate.topic("client.registered"), expect=1)
    assert "traceparent" not in dict(record.headers)
