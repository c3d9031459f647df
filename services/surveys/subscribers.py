"""Surveys' Kafka subscribers: decode, call a handler, nothing else."""

from __future__ import annotations

from services.surveys import handlers
from services.surveys.repository import ClientProjection
from shared.contracts import ClientRegistered
from shared.messaging.broker import subscriber_options
from shared.service import ServiceRuntime


def register_subscribers(runtime: ServiceRuntime) -> None:
    @runtime.broker.subscriber(
        runtime.topics(ClientRegistered.TOPIC), **subscriber_options(runtime.settings)
    )
    async def on_client_registered(event: ClientRegistered) -> None:
        await handlers.remember_client(event, ClientProjection(runtime.db))
