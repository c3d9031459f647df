"""Tracing set-up and what of a span may leave the process (no personal data)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.propagate import inject
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_ON, ParentBased, SamplingResult
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, TraceFlags

from shared import tracing
from shared.trace_export import PrivateSpanExporter

PHONE = "+4930555123987"


def exported(record: dict[str, object], name: str = "GET /api/v1/clients") -> dict[str, object]:
    """The attributes (and the name) of one span as the private exporter hands them on."""
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(PrivateSpanExporter(memory)))
    with provider.get_tracer("test").start_as_current_span(name, kind=SpanKind.SERVER) as span:
        span.set_attributes(record)  # type: ignore[arg-type]
        span.record_exception(ValueError(f"duplicate key: {{'_id': 'phone:{PHONE}'}}"))
    [finished] = memory.get_finished_spans()
    event_text = str(dict(finished.events[0].attributes or {}))
    return {"name": finished.name, **dict(finished.attributes or {}), "event": event_text}


def test_urls_lose_their_query_and_the_query_attribute_is_dropped() -> None:
    span = exported(
        {
            "http.url": f"http://gw:8000/api/v1/clients?q={PHONE}",
            "url.full": f"http://registry/internal/v1/clients?q={PHONE}&limit=5",
            "http.target": f"/api/v1/clients?q={PHONE}",
            "url.query": f"q={PHONE}",
            "http.route": "/api/v1/clients",
        }
    )
    assert span["http.url"] == "http://gw:8000/api/v1/clients"
    assert span["url.full"] == "http://registry/internal/v1/clients"
    assert span["http.target"] == "/api/v1/clients"
    assert "url.query" not in span
    assert span["http.route"] == "/api/v1/clients"


def test_database_statements_keep_the_command_name_only() -> None:
    span = exported({"db.statement": f"find {{'_id': 'phone:{PHONE}'}}", "db.name": "registry"})
    assert span["db.statement"] == "find"
    assert span["db.name"] == "registry"


def test_lookup_ids_phones_and_kafka_keys_are_masked_or_dropped_everywhere() -> None:
    span = exported(
        {
            "clientele.lookup": f"phone:{PHONE}",
            "messaging.kafka.message.key": "4000123412341234",
            "messaging.destination.name": "purchase.recorded",
            "lookups": [f"phone:{PHONE}", "card:4000123412341234"],
        },
        name=f"GET /internal/v1/lookups/phone:{PHONE}",
    )
    assert "messaging.kafka.message.key" not in span
    assert span["messaging.destination.name"] == "purchase.recorded"
    text = str(span)
    assert PHONE not in text and "30555123987" not in text, text
    assert "4000123412341234" not in text
    assert "phone:" in str(span["clientele.lookup"])  # the kind of key stays readable


def test_tracing_is_off_without_otel_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("OTEL_TRACES_EXPORTER", raising=False)
    monkeypatch.delenv(tracing.TRACE_FILE_ENV, raising=False)
    assert tracing._exporters() == []
    assert not tracing.enabled()  # this test process never turned it on
    assert tracing.carrier() == {}
    assert tracing.broker_middlewares() == []
    with tracing.producer_span("t") as headers:
        assert headers == []


def test_an_otlp_endpoint_turns_on_otlp_export_unless_disabled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OTEL_TRACES_EXPORTER", raising=False)
    monkeypatch.delenv(tracing.TRACE_FILE_ENV, raising=False)
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    [(exporter, batched)] = tracing._exporters()
    assert type(exporter).__name__ == "OTLPSpanExporter" and batched
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "none")
    assert tracing._exporters() == []
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "otlp")
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert tracing._exporters() == []


async def test_periodic_polls_run_without_instrumentation_spans(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from opentelemetry.instrumentation.utils import is_instrumentation_enabled

    from shared.periodic import PeriodicTask

    monkeypatch.setitem(tracing._state, "enabled", True)
    seen: list[bool] = []

    async def step() -> None:
        seen.append(is_instrumentation_enabled())

    task = PeriodicTask("poll", 0.01, step)
    task.start()
    await asyncio.sleep(0.05)
    await task.stop()
    assert seen and not any(seen)
    assert is_instrumentation_enabled()  # outside the job, requests are traced as ever


def test_instrumentations_named_in_the_standard_variable_are_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS", "pymongo, httpx")
    assert tracing._disabled("pymongo") and tracing._disabled("httpx")
    assert not tracing._disabled("aiohttp-client")


def test_sampling_and_the_service_name_come_from_the_standard_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "parentbased_traceidratio")
    monkeypatch.setenv("OTEL_TRACES_SAMPLER_ARG", "0.1")
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    provider = tracing.tracer_provider("loyalty")
    assert "ParentBased" in provider.sampler.get_description()
    assert "TraceIdRatioBased{0.1}" in provider.sampler.get_description()
    assert provider.resource.attributes["service.name"] == "loyalty"
    monkeypatch.setenv("OTEL_SERVICE_NAME", "loyalty-eu")
    assert tracing.tracer_provider("loyalty").resource.attributes["service.name"] == "loyalty-eu"


def test_store_command_spans_are_opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(tracing.TRACE_STORE_ENV, raising=False)
    monkeypatch.delenv("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS", raising=False)
    assert not tracing._store_traced()
    monkeypatch.setenv(tracing.TRACE_STORE_ENV, "true")
    assert tracing._store_traced()
    monkeypatch.setenv("OTEL_PYTHON_DISABLED_INSTRUMENTATIONS", "pymongo")
    assert not tracing._store_traced()


@pytest.mark.parametrize("sampled", [False, True])
def test_own_spans_are_built_only_under_a_sampled_parent(
    monkeypatch: pytest.MonkeyPatch, sampled: bool
) -> None:
    memory = InMemorySpanExporter()
    decisions: list[str] = []

    class Counting(ParentBased):  # each span started asks the sampler once
        def should_sample(self, *args: Any, **kwargs: Any) -> SamplingResult:
            decisions.append(args[2] if len(args) > 2 else str(kwargs.get("name")))
            return super().should_sample(*args, **kwargs)

    provider = TracerProvider(sampler=Counting(ALWAYS_ON))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    monkeypatch.setattr(tracing, "_tracer", provider.get_tracer("test"))
    monkeypatch.setitem(tracing._state, "enabled", True)
    monkeypatch.setitem(tracing._state, "parent_based", True)
    flags = TraceFlags(TraceFlags.SAMPLED if sampled else TraceFlags.DEFAULT)
    parent = SpanContext(0xABC, 0xDEF, is_remote=True, trace_flags=flags)
    record = SimpleNamespace(
        topic="t", partition=0, offset=1, headers=[(k, v.encode()) for k, v in
                                                   _headers_of(parent).items()]
    )  # fmt: skip
    with trace.use_span(NonRecordingSpan(parent)), tracing.producer_span("t") as headers:
        [(_, traceparent)] = headers
    with tracing.consumer_spans([record]) as kept:
        pass
    # The context goes on either way (same trace, same decision); spans only when sampled.
    assert traceparent.decode().startswith(f"00-{0xABC:032x}-")
    assert traceparent.decode().endswith("-01" if sampled else "-00")
    assert kept[0]["traceparent"].endswith("-01" if sampled else "-00")
    assert sorted(s.name for s in memory.get_finished_spans()) == (
        ["t process", "t publish"] if sampled else []
    )
    assert len(decisions) == (2 if sampled else 0)  # unsampled: not even started


def _headers_of(context: SpanContext) -> dict[str, str]:
    headers: dict[str, str] = {}
    inject(headers, context=trace.set_span_in_context(NonRecordingSpan(context)))
    return headers
