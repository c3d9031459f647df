"""Where a service keeps its one `Context` (store, repositories, publisher, clock).

The store opens in the lifespan (nothing connects before), so a service builds its
Context in `build_app`'s `on_start`, once per start, and fills the slot; its handler
table, jobs and routes are made before the start and read the Context from the slot
when they run; a route gets it through a FastAPI dependency reading `app.state.context`.
"""

from __future__ import annotations

from typing import Generic, TypeVar

C = TypeVar("C")


class ContextSlot(Generic[C]):
    def __init__(self) -> None:
        self._context: C | None = None

    def fill(self, context: C) -> None:
        self._context = context

    def __call__(self) -> C:
        if self._context is None:
            raise RuntimeError("the service has not started: its Context is built at start")
        return self._context
