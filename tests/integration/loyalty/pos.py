"""Helpers that act like a POS and a registry on the real broker."""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

import httpx
from aiokafka import AIOKafkaProducer

from services.loyalty.config import LoyaltySettings
from shared.contracts import ClientRegistered
from tests.conftest import Slate


def loyalty_settings(slate: Slate, **extra: Any) -> LoyaltySettings:
    return LoyaltySettings(**slate.settings_kwargs("loyalty"), **extra)


def purchase(
    purchase_id: str,
    *,
    card: str | None = None,
    phone: str | None = None,
    client_id: str | None = None,
    lines: list[tuple[str, str, str, str]] | None = None,
    redeem: str = "0.00",
    store: str = "S1",
    employee: str | None = "E7",
    at: str = "2026-11-23T10:15:00Z",
) -> dict[str, Any]:
    """A purchase.recorded body as a POS writes it; lines are (sku, qty, price, cost)."""
    lines = lines or [("A1", "2", "50.00", "20.00")]
    body_lines = [
        {"sku": s, "name": s, "quantity": q, "unit_price": p, "unit_cost": c, "discount": "0.00"}
        for s, q, p, c in lines
    ]
    total = sum(int(q) * int(p.replace(".", "")) for _, q, p, _ in lines)
    client = None
    if card or phone or client_id:
        client = {"card_number": card, "phone": phone, "client_id": client_id}
    return {
        "event_id": str(uuid4()), "schema_version": 1, "occurred_at": at,
        "purchase_id": purchase_id, "store_id": store, "employee_id": employee,
        "client": client, "currency": "EUR", "lines": body_lines,
        "total": f"{total // 100}.{total % 100:02d}", "bonus_redeemed": redeem, "payment": "card",
    }  # fmt: skip


def key_of(body: dict[str, Any]) -> bytes:
    client = body.get("client") or {}
    ident = client.get("client_id") or client.get("card_number") or client.get("phone")
    return (ident or f"store:{body.get('store_id')}").encode()


async def publish_all(bootstrap: str, topic: str, bodies: list[dict[str, Any] | bytes]) -> None:
    """Publish like a POS: plain aiokafka, JSON bytes, keyed by the card number."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for body in bodies:
            if isinstance(body, bytes):
                await producer.send_and_wait(topic, body, key=b"garbage")
            else:
                await producer.send_and_wait(topic, json.dumps(body).encode(), key=key_of(body))
    finally:
        await producer.stop()


def registered(client_id: str, card: str | None = None, **extra: Any) -> ClientRegistered:
    return ClientRegistered(client_id=client_id, name="Ada", card_number=card, **extra)


async def register(slate: Slate, event: ClientRegistered) -> None:
    await publish_raw(slate, event.TOPIC, event.model_dump_json().encode(), event.client_id)


async def publish_raw(slate: Slate, topic: str, value: bytes, key: str) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=slate.infra.kafka, enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(slate.topic(topic), value, key=key.encode())
    finally:
        await producer.stop()


async def balance(api: httpx.AsyncClient, client_id: str) -> str | None:
    """A client's bonus balance as loyalty's API shows it (None: no account yet)."""
    r = await api.get(f"/internal/v1/accounts/{client_id}")
    return r.json()["balance"] if r.status_code == 200 else None
