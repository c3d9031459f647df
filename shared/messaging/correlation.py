"""The correlation id that follows one request or event through every service."""

from __future__ import annotations

from contextvars import ContextVar
from uuid import uuid4

import structlog

HEADER = "x-correlation-id"

_current: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def current_correlation_id() -> str:
    value = _current.get()
    return value if value else uuid4().hex


def bind_correlation_id(value: str | None) -> str:
    """Make `value` (or a fresh id) the current correlation id for logs and publishes."""
    cid = value or uuid4().hex
    _current.set(cid)
    structlog.contextvars.bind_contextvars(correlation_id=cid)
    return cid
