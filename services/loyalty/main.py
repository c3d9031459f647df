"""Composition root of the loyalty service."""

from __future__ import annotations

from fastapi import FastAPI

from services.loyalty.api import router
from services.loyalty.config import LoyaltySettings
from services.loyalty.subscribers import register_subscribers
from shared.contracts import ClientRegistered
from shared.service import ServiceRuntime, build_app

TOPICS = [ClientRegistered.TOPIC]


def create_app(settings: LoyaltySettings | None = None) -> FastAPI:
    settings = settings or LoyaltySettings()
    runtime = ServiceRuntime(settings, TOPICS)
    register_subscribers(runtime, settings)
    return build_app(runtime, title="Clientele loyalty", routers=[router])
