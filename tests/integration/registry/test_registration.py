"""Registering through the registry's API writes the store and announces the client."""

from __future__ import annotations

from services.registry.config import RegistrySettings
from services.registry.main import create_app
from tests.conftest import Slate, running
from tests.support.kafka import payloads, read_topic


def registry_settings(slate: Slate) -> RegistrySettings:
    return RegistrySettings(**slate.settings_kwargs("registry"), default_region="DE")


async def test_registration_publishes_client_registered_through_the_outbox(slate: Slate) -> None:
    async with running(create_app(registry_settings(slate))) as api:
        r = await api.post("/internal/v1/clients", json={"name": "Ada", "phone": "030 1234567"})
        assert r.status_code == 201, r.text
        client = r.json()
        records = await read_topic(slate.infra.kafka, slate.topic("client.registered"), expect=1)
    (event,) = payloads(records)
    assert event["client_id"] == client["id"]
    assert event["phone"] == "+49301234567"
    assert records[0].key == client["id"].encode()


async def test_same_phone_written_differently_is_a_duplicate(slate: Slate) -> None:
    async with running(create_app(registry_settings(slate))) as api:
        first = await api.post(
            "/internal/v1/clients", json={"name": "A", "phone": "+49 30 1234567"}
        )
        second = await api.post("/internal/v1/clients", json={"name": "B", "phone": "030 1234567"})
    assert second.status_code == 409
    assert second.json()["existing_client_id"] == first.json()["id"]


async def test_unreadable_phone_is_a_422_that_names_it(slate: Slate) -> None:
    async with running(create_app(registry_settings(slate))) as api:
        r = await api.post("/internal/v1/clients", json={"name": "A", "phone": "call me"})
    assert r.status_code == 422
    assert "call me" in r.json()["detail"]
