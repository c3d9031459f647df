"""The sampling decision before OpenTelemetry's ASGI middleware (shared/trace_sampling.py):
one server span per sampled request, none and no middleware work for the others, and the
trace context goes on either way."""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ALWAYS_ON,
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
)
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, StatusCode, TraceFlags

from shared import tracing
from shared.trace_sampling import HandedTraceIds, instrument_sampled_requests
from shared.tracing import EXCLUDED_URLS

Seen = list[tuple[int, bool]]  # (trace id, sampled) as the route saw its context


class OddTraceIds(Sampler):
    """Keeps a trace by its id alone, as a ratio sampler does (half of them)."""

    def should_sample(self, parent_context: Any, trace_id: int, *args: Any, **kw: Any) -> Any:
        return SamplingResult(Decision.RECORD_AND_SAMPLE if trace_id % 2 else Decision.DROP)

    def get_description(self) -> str:
        return "OddTraceIds"


def traced_app(root: Sampler) -> tuple[FastAPI, InMemorySpanExporter, Seen]:
    memory = InMemorySpanExporter()
    provider = TracerProvider(sampler=ParentBased(root), id_generator=HandedTraceIds())
    provider.add_span_processor(SimpleSpanProcessor(memory))
    # FastAPI's own telemetry would trace too, with this provider, unless it sees
    # OpenTelemetry's middleware in the stack (then it stands aside): two server spans.
    app = FastAPI(telemetry={"tracer_provider": provider})
    seen: Seen = []

    @app.get("/api/v1/clients/{client_id}")
    async def card(client_id: str) -> dict[str, str]:
        context = trace.get_current_span().get_span_context()
        seen.append((context.trace_id, context.trace_flags.sampled))
        return {"id": client_id}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    instrument_sampled_requests(app, EXCLUDED_URLS, provider)
    return app, memory, seen


@pytest.fixture
def otel_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every request that reaches OpenTelemetry's ASGI middleware, by path."""
    calls: list[str] = []
    original = OpenTelemetryMiddleware.__call__

    async def counted(self: OpenTelemetryMiddleware, scope: Any, *args: Any) -> None:
        calls.append(scope.get("path", ""))
        await original(self, scope, *args)

    monkeypatch.setattr(OpenTelemetryMiddleware, "__call__", counted)
    yield calls


async def get(app: FastAPI, path: str, headers: dict[str, str] | None = None) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        r = await client.get(path, headers=headers)
        assert r.status_code == 200, r.text


def servers(memory: InMemorySpanExporter) -> list[ReadableSpan]:
    return [s for s in memory.get_finished_spans() if s.kind == SpanKind.SERVER]


async def test_a_sampled_request_has_exactly_one_server_span(otel_calls: list[str]) -> None:
    app, memory, seen = traced_app(ALWAYS_ON)
    for n in range(3):
        await get(app, f"/api/v1/clients/c{n}")
    spans = memory.get_finished_spans()
    assert [s.kind for s in spans] == [SpanKind.SERVER] * 3  # no INTERNAL twin, nothing else
    assert {s.attributes["http.route"] for s in spans if s.attributes} == {
        "/api/v1/clients/{client_id}"
    }
    assert [(s.context.trace_id, True) for s in spans if s.context] == seen
    assert len(otel_calls) == 3


async def test_an_unsampled_request_skips_the_middleware_yet_carries_a_trace(
    otel_calls: list[str],
) -> None:
    app, memory, seen = traced_app(ALWAYS_OFF)
    await get(app, "/api/v1/clients/c1")
    await get(app, "/api/v1/clients/c2")
    assert memory.get_finished_spans() == ()
    assert otel_calls == []  # no attributes, route matching or metrics for it
    (first, unsampled), (second, _) = seen
    assert first and second and first != second and not unsampled  # a trace id each


@pytest.mark.parametrize("sampled", [True, False])
async def test_the_caller_s_decision_is_followed(otel_calls: list[str], sampled: bool) -> None:
    app, memory, seen = traced_app(ALWAYS_OFF if sampled else ALWAYS_ON)  # the root's opposite
    trace_id, span_id = secrets.token_hex(16), secrets.token_hex(8)
    traceparent = f"00-{trace_id}-{span_id}-{'01' if sampled else '00'}"
    await get(app, "/api/v1/clients/c1", {"traceparent": traceparent})
    assert seen == [(int(trace_id, 16), sampled)]
    spans = servers(memory)
    assert len(spans) == len(otel_calls) == (1 if sampled else 0)
    for span in spans:
        assert span.parent is not None and span.parent.span_id == int(span_id, 16)


async def test_a_new_trace_keeps_the_id_it_was_sampled_on(otel_calls: list[str]) -> None:
    """A ratio sampler decides on the trace id: the server span must get the id the
    decision was made on, or only a quarter would be kept instead of half."""
    random.seed(17)
    app, memory, seen = traced_app(OddTraceIds())
    for n in range(200):
        await get(app, f"/api/v1/clients/c{n}")
    spans = servers(memory)
    assert 80 <= len(spans) <= 120, len(spans)
    assert len(otel_calls) == len(spans)
    assert all(span.context and span.context.trace_id % 2 for span in spans)
    assert [sampled for _, sampled in seen] == [trace_id % 2 == 1 for trace_id, _ in seen]


async def test_probes_are_never_traced_nor_given_a_context(otel_calls: list[str]) -> None:
    app, memory, _ = traced_app(ALWAYS_ON)
    await get(app, "/healthz")
    assert memory.get_finished_spans() == () and otel_calls == []


@pytest.mark.parametrize("sampled", [True, False])
async def test_upstream_calls_get_a_client_span_only_when_sampled_yet_always_the_context(
    monkeypatch: pytest.MonkeyPatch, sampled: bool
) -> None:
    """The gateway's calls (shared/trace_client.py): under an unsampled request no span is
    built, but the called service still reads the trace and the decision in
    `traceparent`; a failing service marks the sampled span as an error."""
    from aiohttp import web

    from services.gateway.upstream import Upstreams

    memory = InMemorySpanExporter()
    asked: list[int] = []

    class Counting(ParentBased):  # each span started asks once
        def should_sample(self, *args: Any, **kwargs: Any) -> SamplingResult:
            asked.append(1)
            return super().should_sample(*args, **kwargs)

    provider = TracerProvider(sampler=Counting(ALWAYS_ON))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    monkeypatch.setattr(tracing, "_tracer", provider.get_tracer("test"))
    monkeypatch.setitem(tracing._state, "enabled", True)
    monkeypatch.setitem(tracing._state, "parent_based", True)
    received: list[str] = []

    async def upstream(request: web.Request) -> web.Response:
        received.append(request.headers.get("traceparent", ""))
        return web.json_response({}, status=200 if request.path.endswith("ok") else 503)

    app = web.Application()
    app.router.add_get("/internal/v1/{what}", upstream)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    flags = TraceFlags(TraceFlags.SAMPLED if sampled else TraceFlags.DEFAULT)
    request = SpanContext(0xABC, 0xDEF, is_remote=False, trace_flags=flags)
    upstreams = Upstreams({"registry": f"http://127.0.0.1:{port}"}, timeout_s=5)
    try:
        with trace.use_span(NonRecordingSpan(request)):
            ok = await upstreams.call("registry", "GET", "/internal/v1/ok")
            down = await upstreams.call("registry", "GET", "/internal/v1/down")
        assert (ok.status_code, down.status_code) == (200, 503)
    finally:
        await upstreams.close()
        await runner.cleanup()
    clients = [s for s in memory.get_finished_spans() if s.kind == SpanKind.CLIENT]
    for traceparent in received:
        assert traceparent.startswith(f"00-{0xABC:032x}-")
        assert traceparent.endswith("-01" if sampled else "-00")
    assert len(clients) == len(asked) == (2 if sampled else 0)  # unsampled: not even started
    for span, traceparent in zip(clients, received if sampled else [], strict=True):
        assert span.context and traceparent.split("-")[2] == f"{span.context.span_id:016x}"
        assert span.parent is not None and span.parent.span_id == 0xDEF
    assert [s.status.status_code for s in clients] == (
        [StatusCode.UNSET, StatusCode.ERROR] if sampled else []
    )
    assert not sampled or received[0].split("-")[2] != f"{0xDEF:016x}"
