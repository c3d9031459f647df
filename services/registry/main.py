"""Composition root of the registry service."""

from __future__ import annotations

from fastapi import FastAPI

from services.registry.api import ROUTERS
from services.registry.bootstrap import Context, bootstrap
from services.registry.config import RegistrySettings
from services.registry.search.handlers import compact_names
from services.registry.subscribers import CONSUMES, register_subscribers
from shared.context import ContextSlot
from shared.contracts.base import Event
from shared.contracts.registry import ClientErased, ClientMerged, ClientRegistered, ClientUpdated
from shared.periodic import PeriodicTask
from shared.service import ServiceRuntime, build_app

PUBLISHES: list[type[Event]] = [ClientRegistered, ClientUpdated, ClientMerged, ClientErased]
TOPICS = [*(e.TOPIC for e in PUBLISHES), *CONSUMES]


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()
    runtime = ServiceRuntime(settings, TOPICS)
    context: ContextSlot[Context] = ContextSlot()
    register_subscribers(runtime, context)
    runtime.tasks.append(
        PeriodicTask("registry-names", settings.names_interval_s, lambda: compact_names(context()))
    )
    return build_app(
        runtime,
        title="Clientele registry",
        routers=ROUTERS,
        context=context,
        bootstrap=lambda runtime: bootstrap(settings, runtime),
        publishes=PUBLISHES,
    )
