"""Composition root of the registry service."""

from __future__ import annotations

from fastapi import FastAPI

from services.registry.api import router
from services.registry.config import RegistrySettings
from services.registry.subscribers import register_subscribers
from shared.contracts import ClientRegistered
from shared.service import ServiceRuntime, build_app

TOPICS = [ClientRegistered.TOPIC]


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()
    runtime = ServiceRuntime(settings, TOPICS)
    register_subscribers(runtime)
    return build_app(
        runtime, title="Clientele registry", routers=[router], publishes=[ClientRegistered]
    )
