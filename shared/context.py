"""Where a service keeps its one `Context` (store, repositories, publisher, clock).

The store opens in the lifespan (nothing connects before), so `build_app` builds the
Context with the service's `bootstrap`, once per start, and fills the slot; the handler
table, jobs and routes are made before the start and read the Context from the slot
when they run; a route gets it through `context_dependency`, reading `app.state.context`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from fastapi import Request

if TYPE_CHECKING:  # annotations only: shared.service imports this module
    from pymongo.asynchronous.database import AsyncDatabase

    from shared.messaging.broker import EventPublisher
    from shared.store.outbox import Outbox

C = TypeVar("C")
S = TypeVar("S")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The clock every service runs on outside tests."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class ServiceContext(Generic[S]):
    """What the Context of every service on Kafka starts with (settings `S`); each
    service's `Context` adds its repositories and policies."""

    settings: S
    store: AsyncDatabase[dict[str, Any]]
    outbox: Outbox
    publisher: EventPublisher
    clock: Clock


class ContextSlot(Generic[C]):
    def __init__(self) -> None:
        self._context: C | None = None

    def fill(self, context: C) -> None:
        self._context = context

    def __call__(self) -> C:
        if self._context is None:
            raise RuntimeError("the service has not started: its Context is built at start")
        return self._context


def context_reader(kind: type[C]) -> Callable[[Request], C]:
    """The Context of the app serving a request, for code that has the request."""

    def context_in(request: Request) -> C:
        slot: ContextSlot[C] = request.app.state.context
        return slot()

    return context_in


def context_dependency(kind: type[C]) -> Callable[[Request], Awaitable[C]]:
    """`context_reader` as a FastAPI dependency (async: a sync one runs in a thread)."""
    read = context_reader(kind)

    async def context_of(request: Request) -> C:
        return read(request)

    return context_of
