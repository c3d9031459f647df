"""Composition root of the complaints service."""

from __future__ import annotations

from fastapi import FastAPI

from services.complaints.api import router
from services.complaints.config import ComplaintsSettings
from services.complaints.subscribers import register_subscribers
from shared.contracts import ClientRegistered
from shared.service import ServiceRuntime, build_app

TOPICS = [ClientRegistered.TOPIC]


def create_app(settings: ComplaintsSettings | None = None) -> FastAPI:
    settings = settings or ComplaintsSettings()
    runtime = ServiceRuntime(settings, TOPICS)
    register_subscribers(runtime)
    return build_app(runtime, title="Clientele complaints", routers=[router])
