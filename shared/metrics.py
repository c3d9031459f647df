"""Prometheus metrics every service exposes at /metrics."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.responses import Response

HTTP_REQUESTS = Counter(
    "clientele_http_requests_total", "HTTP requests", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "clientele_http_request_seconds", "HTTP request latency", ["service", "method", "route"]
)
MESSAGES_CONSUMED = Counter(
    "clientele_messages_consumed_total", "Kafka messages processed", ["service", "topic"]
)
MESSAGES_FAILED = Counter(
    "clientele_messages_failed_total", "Kafka messages whose handling raised", ["service", "topic"]
)
MESSAGES_DEAD_LETTERED = Counter(
    "clientele_messages_dead_lettered_total", "Kafka messages parked in a DLQ", ["service", "topic"]
)
EVENTS_PUBLISHED = Counter(
    "clientele_events_published_total", "Events published by the outbox", ["service", "topic"]
)
OUTBOX_PENDING = Gauge(
    "clientele_outbox_pending", "Documents with events not yet published", ["service"]
)
CONSUMER_LAG = Gauge(
    "clientele_consumer_lag", "End offset minus committed offset", ["service", "topic", "partition"]
)


def metrics_response() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


STORE_COMMANDS = Counter(
    "clientele_store_commands_total",
    "Commands sent to the store (MongoDB / FerretDB), by command and collection",
    ["service", "command", "collection"],
)
