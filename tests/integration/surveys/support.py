"""Helpers for surveys' integration tests: settings, a controllable clock, events."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer

from services.surveys.answers.signature import HEADER, sign
from services.surveys.config import SurveysSettings
from services.surveys.main import create_app
from shared.contracts.base import Event
from shared.contracts.pos import PurchaseRecorded
from shared.contracts.registry import ClientRegistered, Consent
from tests.conftest import Slate, running
from tests.support.kafka import eventually, produce
from tests.support.sms_provider import FakeSmsProvider, fake_sms_provider

SECRET = "test-webhook-secret"


class ManualClock:
    """What time it is for the service under test; tests move it."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def surveys_settings(slate: Slate, provider_url: str | None = None, **over: Any) -> SurveysSettings:
    values: dict[str, Any] = slate.settings_kwargs("surveys") | {
        "topic_partitions": 1,  # surveys declares 22 topics: keep the shared broker light
        "send_delay_s": 0,
        "dispatch_interval_s": 0.1,
        "quiet_hours_start": 21,
        "quiet_hours_end": 8,
        "timezone": "UTC",
        "webhook_secret": SECRET,
        "sms_http_retries": 2,
        "sms_http_backoff_s": 0.05,
        "sms_http_timeout_s": 2,
    }
    if provider_url:
        values |= {"sms_provider": "http", "sms_http_url": provider_url, "sms_http_user": "acme"}
    return SurveysSettings(**(values | over))


@asynccontextmanager
async def surveys_app(
    slate: Slate, clock: ManualClock, **over: Any
) -> AsyncIterator[tuple[FakeSmsProvider, httpx.AsyncClient]]:
    """Surveys in this process (settings `over`ridden), sending to a fake SMS provider."""
    async with (
        fake_sms_provider() as provider,
        running(create_app(surveys_settings(slate, provider.url, **over), clock)) as api,
    ):
        yield provider, api


def registered(
    client_id: str, phone: str, *, consent: bool = True, **fields: Any
) -> ClientRegistered:
    consents = {"sms": Consent(granted=True, at=datetime.now(UTC), source="front_desk")}
    return ClientRegistered(
        client_id=client_id,
        name=fields.pop("name", "Ada"),
        phone=phone,
        consents=consents if consent else {},
        **fields,
    )


def purchase(purchase_id: str, card_or_phone: dict[str, str], **fields: Any) -> PurchaseRecorded:
    return PurchaseRecorded.model_validate(
        {
            "purchase_id": purchase_id,
            "store_id": fields.pop("store_id", "S1"),
            "employee_id": fields.pop("employee_id", "E7"),
            "client": card_or_phone,
            "currency": "EUR",
            "lines": [{"sku": "A1", "name": "Tea", "quantity": "2", "unit_price": "3.50"}],
            "total": "7.00",
            **fields,
        }
    )


async def publish(slate: Slate, event: Event) -> None:
    await produce(
        slate.infra.kafka,
        slate.topic(event.TOPIC),
        event.model_dump_json().encode(),
        key=event.partition_key().encode(),
    )


async def publish_all(slate: Slate, events: list[Event]) -> None:
    """Many events through one producer (starting a producer per event is slow)."""
    producer = AIOKafkaProducer(bootstrap_servers=slate.infra.kafka, enable_idempotence=True)
    await producer.start()
    try:
        for event in events:
            await producer.send(
                slate.topic(event.TOPIC),
                event.model_dump_json().encode(),
                key=event.partition_key().encode(),
            )
        await producer.flush()
    finally:
        await producer.stop()


async def known(api: httpx.AsyncClient, client_id: str) -> Any:
    async def check() -> Any:
        r = await api.get(f"/internal/v1/clients/{client_id}")
        return r.json() if r.status_code == 200 else None

    return await eventually(check)


async def merged_into(api: httpx.AsyncClient, client_id: str) -> Any:
    """The survivor's id once surveys has applied the merge of `client_id`."""

    async def check() -> Any:
        return (await api.get(f"/internal/v1/clients/{client_id}")).json().get("merged_into")

    return await eventually(check)


async def message_of(api: httpx.AsyncClient, client_id: str, status: str | None = None) -> Any:
    """The client's first message once it has left `scheduled` (or reached `status`)."""

    async def check() -> Any:
        messages = (await api.get(f"/internal/v1/clients/{client_id}/messages")).json()
        done = [
            m
            for m in messages
            if m["status"] == status or (not status and m["status"] != "scheduled")
        ]
        return done[0] if done else None

    return await eventually(check)


def signed(body: bytes, secret: str = SECRET, at: float | None = None) -> dict[str, str]:
    return {
        HEADER: sign(secret, body, int(at if at is not None else time.time())),
        "content-type": "application/x-www-form-urlencoded",
    }
