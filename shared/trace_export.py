"""Where finished spans go, and what of them may leave the process.

Every exporter is wrapped in `PrivateSpanExporter`: spans carry no personal data, whatever
an instrumentation recorded. It runs on the exporter's thread, off the request path:

- database statements keep their command name only (`find`, `update`), never the filter
  (`{"_id": "phone:+49…"}`); PyMongo's instrumentation is told not to record them either;
- URLs lose their query (`/api/v1/clients?q=+49…`): `url.query` is dropped, `http.url`,
  `url.full` and `http.target` keep the path;
- the Kafka message key is dropped (POS events are keyed by card number);
- every other text (span names, attributes, exception messages of span events) goes
  through `shared.privacy.mask_text`, which masks phones, emails, card numbers and
  lookup keys (`phone:+49…`, `card:4000…`).
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from shared.privacy import mask_text

# Dropped whole: what they hold is a lookup key or a query, never needed to read a trace.
DROPPED = frozenset(
    {
        "url.query",
        "messaging.kafka.message.key",
        "messaging.kafka.message_key",
        "http.request.header.cookie",
        "http.request.header.authorization",
    }
)
URLS = frozenset({"http.url", "url.full"})
TARGETS = frozenset({"http.target"})
STATEMENTS = frozenset({"db.statement", "db.query.text"})


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def scrub_value(key: str, value: Any) -> Any:
    """An attribute's value as it may be exported (None: not at all)."""
    if key in DROPPED:
        return None
    if not isinstance(value, str):
        if isinstance(value, Sequence) and not isinstance(value, bytes):
            return tuple(mask_text(v) if isinstance(v, str) else v for v in value)
        return value
    if key in URLS:
        return mask_text(_without_query(value))
    if key in TARGETS:
        return mask_text(value.split("?", 1)[0])
    if key in STATEMENTS:
        return value.split(" ", 1)[0]  # the command name: what follows is the filter
    return _masked(value)


# Most other texts repeat from span to span (methods, routes, hosts, topics, span
# names): masking them was ~45 of the ~55 µs a span's scrub cost (docs/benchmarks.md,
# "Tracing overhead"). URLs, which carry queries, are not kept here.
@functools.lru_cache(maxsize=2048)
def _masked(text: str) -> str:
    return mask_text(text)


def scrub_attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key, value in (attributes or {}).items():
        scrubbed = scrub_value(key, value)
        if scrubbed is not None:
            cleaned[key] = scrubbed
    return cleaned


def scrub_span(span: ReadableSpan) -> ReadableSpan:
    """A copy of `span` with nothing personal in its name, attributes or events."""
    events = [Event(e.name, scrub_attributes(e.attributes), e.timestamp) for e in span.events]
    return ReadableSpan(
        name=_masked(span.name),
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=scrub_attributes(span.attributes),
        events=events,
        links=span.links,
        kind=span.kind,
        status=span.status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class PrivateSpanExporter(SpanExporter):
    """Hands `inner` scrubbed copies of the spans (see the module docstring)."""

    def __init__(self, inner: SpanExporter) -> None:
        self.inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self.inner.export([scrub_span(s) for s in spans])

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)


class JsonLinesSpanExporter(SpanExporter):
    """One JSON object per span, appended to a file (CLIENTELE_TRACE_FILE): for tests and
    for a look at traces without a collector. Each line is one `write` to a file opened
    for appending, so several processes may share the file."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self.lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        with self.lock:
            for span in spans:
                os.write(self.fd, (span.to_json(indent=None) + "\n").encode())
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        with self.lock:
            if self.fd >= 0:
                os.close(self.fd)
                self.fd = -1
