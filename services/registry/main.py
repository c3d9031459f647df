"""Composition root of the registry service."""

from __future__ import annotations

from fastapi import FastAPI

from services.registry.api import ROUTERS
from services.registry.config import RegistrySettings
from services.registry.subscribers import CONSUMES, register_subscribers
from shared.contracts.base import Event
from shared.contracts.registry import ClientErased, ClientMerged, ClientRegistered, ClientUpdated
from shared.messaging.keyed_locks import KeyedLocks
from shared.service import ServiceRuntime, build_app

PUBLISHES: list[type[Event]] = [ClientRegistered, ClientUpdated, ClientMerged, ClientErased]
TOPICS = [*(e.TOPIC for e in PUBLISHES), *CONSUMES]


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()
    runtime = ServiceRuntime(settings, TOPICS)
    register_subscribers(runtime)
    app = build_app(
        runtime,
        title="Clientele registry",
        routers=ROUTERS,
        publishes=PUBLISHES,
    )
    app.state.locks = KeyedLocks()
    return app
