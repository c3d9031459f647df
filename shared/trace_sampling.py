"""Server spans for sampled requests only: the sampling decision comes before
OpenTelemetry's ASGI middleware, so the 9 requests in 10 that are not sampled skip it.

That middleware does its work before the sampler speaks: it resolves the route a
second time, collects the request's attributes, records metrics and wraps `send`, for
every request (docs/benchmarks.md, "Tracing overhead"). `SampledRequests` asks the
tracer provider's own sampler first, with the trace id the request would get (the
caller's from `traceparent`, else a fresh one):

- sampled (or recorded): the request runs through the OpenTelemetry middleware as
  ever, which starts the one server span; a new trace is handed the id the decision
  was made on (`HandedTraceIds`), so a ratio sampler's second look agrees;
- not sampled: the app runs in a non-recording context of that trace (the caller's
  span, or a new span id of the fresh trace), so what it calls and publishes carries
  "not sampled" on and parent-based services downstream drop it too.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Literal

from fastapi.telemetry import TelemetryConfig
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware, asgi_getter
from opentelemetry.instrumentation.utils import is_http_instrumentation_enabled
from opentelemetry.propagate import extract
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.sdk.trace.sampling import Decision, Sampler
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, TraceFlags
from opentelemetry.util.http import ExcludeList
from starlette.types import ASGIApp, Receive, Scope, Send

# For FastAPI(telemetry=...): FastAPI's own request telemetry stays off. Requests are
# traced by OpenTelemetry's middleware (sampled first, below); with tracing on, FastAPI's
# would otherwise look at every request again to find that middleware and stand aside.
FASTAPI_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}

# The trace id a sampled request's server span is to have (set just before the
# OpenTelemetry middleware starts it, taken by the first new trace id asked for).
_handed: ContextVar[int | None] = ContextVar("clientele_handed_trace_id", default=None)
_TRACEPARENT = b"traceparent"


class HandedTraceIds(RandomIdGenerator):
    """Random ids, except a trace id handed over for the next root span."""

    def generate_trace_id(self) -> int:
        handed = _handed.get()
        if handed is None:
            return super().generate_trace_id()
        _handed.set(None)  # once only: a later root span in the request gets its own
        return handed


class SampledRequests:
    """In front of OpenTelemetry's ASGI middleware (`app`), with the app it wraps
    (`plain`): a request the sampler drops goes straight to `plain`.

    The middleware must stay reachable as `.app`: FastAPI's own telemetry walks the
    stack's `.app` chain for it and stands aside only when it finds it (otherwise every
    request gets a second server span and spans per dependency and endpoint)."""

    def __init__(
        self,
        traced: OpenTelemetryMiddleware,
        plain: ASGIApp,
        provider: TracerProvider,
        excluded: ExcludeList | None,
    ) -> None:
        self.app = traced
        self.plain = plain
        self.sampler: Sampler = provider.sampler
        self.ids = provider.id_generator
        self.excluded = excluded

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_http_instrumentation_enabled():
            await self.app(scope, receive, send)  # it passes these on as it sees fit
            return
        if self.excluded is not None and self.excluded.url_disabled(scope["path"]):
            await self.plain(scope, receive, send)  # probes and scrapes: no trace at all
            return
        parent = _caller_context(scope)
        caller = trace.get_current_span(parent).get_span_context()
        trace_id = caller.trace_id if caller.is_valid else self.ids.generate_trace_id()
        decision = self.sampler.should_sample(
            parent, trace_id, str(scope.get("method", "HTTP")), SpanKind.SERVER
        ).decision
        if decision is not Decision.DROP:
            handed = _handed.set(None if caller.is_valid else trace_id)
            try:
                await self.app(scope, receive, send)
            finally:
                _handed.reset(handed)
            return
        if not caller.is_valid:  # a new trace nobody keeps: its id still travels on
            flags = TraceFlags(TraceFlags.DEFAULT)
            caller = SpanContext(trace_id, self.ids.generate_span_id(), False, flags)
        token = otel_context.attach(trace.set_span_in_context(NonRecordingSpan(caller), parent))
        try:
            await self.plain(scope, receive, send)
        finally:
            otel_context.detach(token)


def _caller_context(scope: Scope) -> otel_context.Context | None:
    """The caller's trace context, read only when it sent one (most requests do not)."""
    if not any(key == _TRACEPARENT for key, _ in scope.get("headers", ())):
        return None
    carrier: dict[str, Any] = scope  # type: ignore[assignment]  # a dict at runtime
    return extract(carrier, getter=asgi_getter)


def sample_first(stack: ASGIApp, excluded: ExcludeList | None, provider: Any) -> ASGIApp:
    """Put `SampledRequests` in front of the OpenTelemetry middleware in a stack built by
    FastAPIInstrumentor (ServerErrorMiddleware -> OpenTelemetryMiddleware -> the app);
    a stack of another shape, or a provider without handed ids, is left as it is."""
    traced = getattr(stack, "app", None)
    if not isinstance(traced, OpenTelemetryMiddleware):
        return stack
    if not isinstance(provider, TracerProvider):
        return stack
    if not isinstance(provider.id_generator, HandedTraceIds):
        return stack
    stack.app = SampledRequests(traced, traced.app, provider, excluded)  # type: ignore[attr-defined]
    return stack


def instrument_sampled_requests(
    app: Any, excluded_urls: str, provider: TracerProvider | None = None
) -> None:
    """FastAPI's instrumentation, with the sampling decision in front of it; no span per
    ASGI receive/send message either (they double the spans and say nothing)."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.util.http import parse_excluded_urls

    chosen = provider or trace.get_tracer_provider()
    quiet: list[Literal["receive", "send"]] = ["receive", "send"]
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=chosen, excluded_urls=excluded_urls, exclude_spans=quiet
    )
    instrumented = app.build_middleware_stack  # the instrumentor's: one OTel middleware
    excluded = parse_excluded_urls(excluded_urls)
    app.build_middleware_stack = lambda: sample_first(instrumented(), excluded, chosen)
