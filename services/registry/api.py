"""The registry's internal HTTP API (called by the gateway): every feature's routes, in
the order they are matched."""

from __future__ import annotations

from fastapi import APIRouter

from services.registry.cards import api as cards
from services.registry.catalog import api as catalog
from services.registry.changes import api as changes
from services.registry.export import api as export
from services.registry.identity import api as identity
from services.registry.search import api as search

ROUTERS: list[APIRouter] = [
    identity.router,
    search.router,
    changes.router,
    cards.router,
    catalog.router,
    export.router,
]
