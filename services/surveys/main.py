"""Composition root of the surveys service."""

from __future__ import annotations

from fastapi import FastAPI

from services.surveys.api import router
from services.surveys.config import SurveysSettings
from services.surveys.subscribers import register_subscribers
from shared.contracts import ClientRegistered
from shared.service import ServiceRuntime, build_app

TOPICS = [ClientRegistered.TOPIC]


def create_app(settings: SurveysSettings | None = None) -> FastAPI:
    settings = settings or SurveysSettings()
    runtime = ServiceRuntime(settings, TOPICS)
    register_subscribers(runtime)
    return build_app(runtime, title="Clientele surveys", routers=[router])
