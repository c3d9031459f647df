"""Traces across services (OpenTelemetry), set up once per process, off by default.

`setup(service)` is called at start by every service (shared/service.py) and the
gateway. It reads the standard variables:

- `OTEL_EXPORTER_OTLP_ENDPOINT` (or `..._TRACES_ENDPOINT`): export over OTLP/HTTP
  (`http://collector:4318`); `OTEL_TRACES_EXPORTER=otlp|console|none` says it outright;
- `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG`, e.g. `parentbased_traceidratio` and
  `0.1`: a tenth of new traces, and whatever the caller decided for the others;
- `OTEL_SERVICE_NAME` (default: the service's name), `OTEL_SDK_DISABLED=true`,
  `OTEL_PYTHON_DISABLED_INSTRUMENTATIONS=httpx,aiohttp-client` (fewer spans, less CPU);
- `CLIENTELE_TRACE_STORE=true`: a span per store command too (PyMongo; off by default);
- `CLIENTELE_TRACE_FILE`: also append every span as a JSON line to this file (tests).
With none of them set nothing is instrumented and the helpers below return at once.

When on: FastAPI (sampled requests only, shared/trace_sampling.py), httpx and aiohttp
clients, FastStream's Kafka telemetry middleware, our own publish and per-record consume
spans (only under a sampled parent). W3C trace context travels in Kafka headers and waits
with an event in its outbox entry or journal (`carrier`, `within`), so the relay's publish
continues the request's trace. Nothing personal leaves the process (trace_export.py).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.propagate import extract, inject
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import ParentBased
from opentelemetry.trace import Link, NonRecordingSpan, SpanContext, SpanKind

from shared.trace_export import JsonLinesSpanExporter, PrivateSpanExporter
from shared.trace_sampling import HandedTraceIds, instrument_sampled_requests

TRACE_FILE_ENV = "CLIENTELE_TRACE_FILE"
TRACE_STORE_ENV = "CLIENTELE_TRACE_STORE"
# The variables this module and the OpenTelemetry SDK read (docker-compose.yml sets some).
ENVIRONMENT = frozenset(
    {
        TRACE_FILE_ENV, TRACE_STORE_ENV, "OTEL_SDK_DISABLED", "OTEL_SERVICE_NAME",
        "OTEL_RESOURCE_ATTRIBUTES", "OTEL_TRACES_EXPORTER", "OTEL_TRACES_SAMPLER",
        "OTEL_TRACES_SAMPLER_ARG", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_TIMEOUT",
        "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS",
    }
)  # fmt: skip
TRACE_HEADERS = ("traceparent", "tracestate")
_DISABLED = "OTEL_PYTHON_DISABLED_INSTRUMENTATIONS"
# Probes and scrapes every few seconds would drown the traces that matter.
EXCLUDED_URLS = "/healthz,/readyz,/metrics"

_tracer = trace.get_tracer("clientele")  # follows the provider `setup` installs
_state: dict[str, bool] = {"enabled": False, "configured": False, "parent_based": False}


def enabled() -> bool:
    return _state["enabled"]


def _exporters() -> list[tuple[SpanExporter, bool]]:
    """The exporters the environment asks for, each with whether to batch it."""
    if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return []
    chosen = {e.strip() for e in os.environ.get("OTEL_TRACES_EXPORTER", "").split(",")}
    chosen.discard("")
    endpoint = any(
        os.environ.get(v)
        for v in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )
    if not chosen and endpoint:
        chosen = {"otlp"}
    found: list[tuple[SpanExporter, bool]] = []
    if "otlp" in chosen:
        # Imported only when used: the exporter pulls in protobuf and requests.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        found.append((OTLPSpanExporter(), True))
    if "console" in chosen:
        found.append((ConsoleSpanExporter(), False))
    if path := os.environ.get(TRACE_FILE_ENV):
        found.append((JsonLinesSpanExporter(path), False))
    return found


def tracer_provider(service_name: str) -> TracerProvider:
    """A provider named `OTEL_SERVICE_NAME` or `service_name`; its sampler comes from
    OTEL_TRACES_SAMPLER(_ARG) (the SDK's default: parent-based, always on)."""
    name = os.environ.get("OTEL_SERVICE_NAME") or service_name
    resource = Resource.create({SERVICE_NAME: name})
    return TracerProvider(resource=resource, id_generator=HandedTraceIds())


def setup(service_name: str) -> bool:
    """Install the tracer provider and the instrumentations once per process; True when
    tracing is on. Later calls (tests build many apps in one process) change nothing."""
    if _state["configured"]:
        return _state["enabled"]
    _state["configured"] = True
    exporters = _exporters()
    if not exporters:
        return False
    provider = tracer_provider(service_name)
    for exporter, batched in exporters:
        private = PrivateSpanExporter(exporter)
        provider.add_span_processor(
            BatchSpanProcessor(private) if batched else SimpleSpanProcessor(private)
        )
    trace.set_tracer_provider(provider)
    _state["parent_based"] = isinstance(provider.sampler, ParentBased)
    _instrument_clients()
    _state["enabled"] = True
    return True


def _disabled(name: str) -> bool:
    """OTEL_PYTHON_DISABLED_INSTRUMENTATIONS=pymongo,httpx (the standard variable)."""
    return name in {n.strip() for n in os.environ.get(_DISABLED, "").split(",")}


def _store_traced() -> bool:
    """Off by default: its listener runs for every command, sampled or not, the largest
    part of the overhead (docs/benchmarks.md); a trace shows store time as a gap."""
    on = os.environ.get(TRACE_STORE_ENV, "").strip().lower() in {"1", "true", "yes"}
    return on and not _disabled("pymongo")


def _instrument_clients() -> None:
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    if _store_traced():
        from opentelemetry.instrumentation.pymongo import PymongoInstrumentor

        PymongoInstrumentor().instrument(capture_statement=False)
    if not _disabled("httpx"):
        HTTPXClientInstrumentor().instrument()
    # The gateway's aiohttp calls build their spans themselves (trace_client.py).


def instrument_app(app: Any) -> None:
    """Server spans for a FastAPI app's sampled requests (a no-op when tracing is off);
    the sampler decides before OpenTelemetry's middleware runs (trace_sampling.py)."""
    if enabled():
        instrument_sampled_requests(app, EXCLUDED_URLS)


@contextlib.contextmanager
def untraced() -> Iterator[None]:
    """No instrumentation spans in the block (background polling: relay sweeps, checks):
    root spans of idle loops cost CPU and bury the traces that matter. An event published
    in it still continues the trace it was written in (`within`)."""
    if not enabled():
        yield
        return
    from opentelemetry.instrumentation.utils import suppress_instrumentation

    with suppress_instrumentation():
        yield


def broker_middlewares() -> list[Any]:
    """FastStream's Kafka telemetry middleware, when tracing is on."""
    if not enabled():
        return []
    from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware

    return [KafkaTelemetryMiddleware()]


def carrier() -> dict[str, str]:
    """The current trace context as W3C headers (`traceparent`, `tracestate`), to keep
    with an event that is published later; empty when there is none to continue."""
    if not enabled():
        return {}
    headers: dict[str, str] = {}
    inject(headers)
    return {k: v for k, v in headers.items() if k in TRACE_HEADERS}


@contextlib.contextmanager
def within(kept: Mapping[str, str] | None) -> Iterator[None]:
    """Run the block in the trace context `kept` by `carrier()` (no-op without one)."""
    if not kept or not enabled():
        yield
        return
    token = otel_context.attach(extract(dict(kept)))
    try:
        yield
    finally:
        otel_context.detach(token)


def tracer() -> trace.Tracer:
    return _tracer


def dropped(parent: SpanContext) -> bool:
    """A child of `parent` is not sampled whatever it holds (a parent-based sampler, an
    unsampled parent: 9 requests in 10): build no span, pass the context on."""
    return _state["parent_based"] and parent.is_valid and not parent.trace_flags.sampled


def _headers(context: otel_context.Context | None = None) -> dict[str, str]:
    headers: dict[str, str] = {}
    inject(headers, context=context)
    return headers


@contextlib.contextmanager
def producer_span(topic: str) -> Iterator[list[tuple[str, bytes]]]:
    """A span for one publish to `topic`; yields the headers that carry it to consumers."""
    if not enabled():
        yield []
        return
    if dropped(trace.get_current_span().get_span_context()):
        yield [(k, v.encode()) for k, v in _headers().items()]
        return
    attributes = {
        "messaging.system": "kafka",
        "messaging.destination.name": topic,
        "messaging.operation": "publish",
    }
    with _tracer.start_as_current_span(
        f"{topic} publish", kind=SpanKind.PRODUCER, attributes=attributes
    ):
        yield [(k, v.encode()) for k, v in _headers().items()]


def _record_context(record: Any) -> otel_context.Context:
    headers = {
        k: bytes(v).decode(errors="replace")
        for k, v in (record.headers or ())
        if k in TRACE_HEADERS and v is not None
    }
    return extract(headers)


def _start_consumer_span(record: Any) -> trace.Span:
    """One record's processing span: a child of the context it was published in (so one
    purchase is one trace across services), linked to the batch span around it."""
    context = _record_context(record)
    parent = trace.get_current_span(context).get_span_context()
    if dropped(parent):
        return NonRecordingSpan(parent)  # carries the unsampled context on, costs nothing
    batch = trace.get_current_span().get_span_context()
    return _tracer.start_span(
        f"{record.topic} process",
        context=context,
        kind=SpanKind.CONSUMER,
        links=[Link(batch)] if batch.is_valid else None,
        attributes={
            "messaging.system": "kafka",
            "messaging.destination.name": record.topic,
            "messaging.operation": "process",
            "messaging.kafka.destination.partition": record.partition,
            "messaging.kafka.message.offset": record.offset,
        },
    )


@contextlib.contextmanager
def consumer_span(record: Any) -> Iterator[None]:
    """Process one Kafka record (aiokafka `ConsumerRecord`) inside its own span."""
    if not enabled():
        yield
        return
    with trace.use_span(_start_consumer_span(record), end_on_exit=True):
        yield


@contextlib.contextmanager
def consumer_spans(records: Sequence[Any]) -> Iterator[list[dict[str, str]]]:
    """One span per record of a batch processed as a whole, open for the whole block;
    yields each record's `carrier()` (what it causes continues its trace)."""
    if not enabled():
        yield [{} for _ in records]
        return
    spans = [_start_consumer_span(r) for r in records]
    kept = [_headers(trace.set_span_in_context(span)) for span in spans]
    try:
        yield kept
    finally:
        for span in spans:
            span.end()
