"""Composition root of the loyalty service."""

from __future__ import annotations

from fastapi import FastAPI

from services.loyalty.api import router
from services.loyalty.config import LoyaltySettings
from services.loyalty.context import Loyalty, Policy
from services.loyalty.subscribers import register_subscribers
from shared.contracts import ClientRegistered
from shared.contracts.loyalty import BonusAccrued, BonusRedeemed, ClientAtRisk, TierChanged
from shared.contracts.pos import PurchaseRecorded
from shared.service import ServiceRuntime, build_app

CONSUMED = [ClientRegistered.TOPIC, PurchaseRecorded.TOPIC]
PUBLISHED = [BonusAccrued.TOPIC, BonusRedeemed.TOPIC, TierChanged.TOPIC, ClientAtRisk.TOPIC]
TOPICS = CONSUMED + PUBLISHED


def create_app(settings: LoyaltySettings | None = None) -> FastAPI:
    settings = settings or LoyaltySettings()
    runtime = ServiceRuntime(settings, TOPICS)
    loyalty = Loyalty(runtime, settings, Policy.from_settings(settings))
    register_subscribers(loyalty)
    app = build_app(runtime, title="Clientele loyalty", routers=[router])
    app.state.loyalty = loyalty
    return app
