"""Loyalty's Kafka subscribers: decode, call a handler, nothing else."""

from __future__ import annotations

from services.loyalty import handlers
from services.loyalty.config import LoyaltySettings
from services.loyalty.repository import AccountRepository
from shared.contracts import ClientRegistered
from shared.messaging.broker import subscriber_options
from shared.messaging.idempotency import Inbox
from shared.service import ServiceRuntime


def register_subscribers(runtime: ServiceRuntime, settings: LoyaltySettings) -> None:
    @runtime.broker.subscriber(
        runtime.topics(ClientRegistered.TOPIC), **subscriber_options(settings)
    )
    async def on_client_registered(event: ClientRegistered) -> None:
        await handlers.open_account(
            event,
            AccountRepository(runtime.db),
            Inbox(runtime.db, "loyalty.client.registered"),
            settings.currency,
            crash_after_write=settings.crash_after_write,
        )
