"""The registry's one Context: settings, store, repositories, publisher and clock,
built once at start by `bootstrap`.

Handlers take it as their first argument; the handler table reads it from the app's
`ContextSlot`, routes get it as the `Ctx` dependency, the import command builds its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from uuid import uuid4

from fastapi import Depends

from services.registry.catalog.repository import CatalogRepository
from services.registry.config import RegistrySettings
from services.registry.identity.repository import ClientRepository
from services.registry.search.lists import ListIndex
from services.registry.search.repository import NameIndex
from services.registry.signals.repository import SignalRepository
from shared.context import Clock, ServiceContext, context_dependency, utc_now
from shared.messaging.keyed_locks import KeyedLocks
from shared.service import ServiceRuntime


@dataclass(frozen=True)
class Context(ServiceContext[RegistrySettings]):
    """Everything a registry handler or route works with, built once at start."""

    clients: ClientRepository
    index: ListIndex  # chunked lists: name buckets, managers' clients
    names: NameIndex  # the name index: recent entries, then `index`'s buckets
    catalog: CatalogRepository
    signals: SignalRepository

    @property
    def default_region(self) -> str:
        return self.settings.default_region

    @property
    def card_prefix(self) -> str:
        return self.settings.card_prefix


def bootstrap(
    settings: RegistrySettings, runtime: ServiceRuntime, clock: Clock = utc_now
) -> Context:
    """The service's Context over the store `runtime` opened (build_app's on_start)."""
    db, outbox = runtime.db, runtime.outbox
    lists = ListIndex(db, KeyedLocks())
    return Context(
        settings=settings,
        store=db,
        outbox=outbox,
        publisher=runtime.publisher,
        clients=ClientRepository(db, outbox),
        index=lists,
        names=NameIndex(db, lists, writer=uuid4().hex),
        catalog=CatalogRepository(db),
        signals=SignalRepository(db),
        clock=clock,
    )


context_of = context_dependency(Context)


Ctx = Annotated[Context, Depends(context_of)]
