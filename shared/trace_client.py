"""The span of one outgoing HTTP call (the gateway's upstream calls), built here rather
than by OpenTelemetry's aiohttp instrumentation.

That instrumentation adds a trace config to every session: aiohttp then builds its
tracing objects and sends its signals for every call, and the instrumentation's
handlers run, sampled or not: most of what tracing cost the gateway per lookup once the
sampler decided first (docs/benchmarks.md, "Tracing overhead"). Here a call under an
unsampled request only gets `traceparent` (same trace, "not sampled", so the service
called drops it too), written by hand; a sampled one gets a CLIENT span, made current
while the call runs, whose context the headers carry.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from opentelemetry import trace
from opentelemetry.propagate import inject
from opentelemetry.trace import Span, SpanContext, SpanKind, Status, StatusCode

from shared import tracing


@dataclass
class Outgoing:
    """What the call must send (`headers`) and its span, if it has one."""

    headers: dict[str, str] = field(default_factory=dict)
    span: Span | None = None

    def answered(self, status: int) -> None:
        if self.span is not None:
            self.span.set_attribute("http.status_code", status)
            if status >= 500:
                self.span.set_status(Status(StatusCode.ERROR))


def traceparent(context: SpanContext) -> dict[str, str]:
    """W3C headers of `context`, as the tracecontext propagator writes them."""
    flags = int(context.trace_flags)
    headers = {"traceparent": f"00-{context.trace_id:032x}-{context.span_id:016x}-{flags:02x}"}
    if context.trace_state:
        headers["tracestate"] = context.trace_state.to_header()
    return headers


@contextlib.contextmanager
def client_call(method: str, url: str, host: str, port: int | None) -> Iterator[Outgoing]:
    """Around one call: yields the headers to send and the span to tell the status to.
    A failed call (an exception) is recorded on the span and goes on."""
    if not tracing.enabled():
        yield Outgoing()
        return
    current = trace.get_current_span().get_span_context()
    if tracing.dropped(current):
        yield Outgoing(traceparent(current))
        return
    attributes: dict[str, str | int] = {"http.method": method, "http.url": url}
    attributes["net.peer.name"] = host
    if port is not None:
        attributes["net.peer.port"] = port
    with tracing.tracer().start_as_current_span(
        method, kind=SpanKind.CLIENT, attributes=attributes
    ) as span:
        headers: dict[str, str] = {}
        inject(headers)
        yield Outgoing(headers, span)
