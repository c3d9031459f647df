"""Registering through the registry's API writes the store and announces the client."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from services.registry.main import create_app
from shared.contracts.registry import ClientRegistered
from tests.conftest import Slate, running
from tests.integration.registry.conftest import distinct_events, register, registry_settings
from tests.support.kafka import read_topic

FULL_CARD = {
    "name": "Zoë  Müller",
    "phone": "030 1234567",
    "phones": ["+49 170 1234567"],
    "email": "Zoe.Mueller@Example.COM",
    "birthday": "1990-04-01",
    "name_day": "05-15",
    "language": "de",
    "store_id": "S1",
    "employee_id": "E7",
    "notes": "prefers mornings",
    "consents": {"sms": True, "email": False},
    "consent_source": "front_desk",
    "category": "vip",
    "tags": ["indecisive"],
}


async def test_registration_publishes_client_registered_through_the_outbox(
    slate: Slate, api: httpx.AsyncClient
) -> None:
    client = await register(api, **FULL_CARD)
    records = await read_topic(slate.infra.kafka, slate.topic("client.registered"), expect=1)
    (event,) = distinct_events(records)
    ClientRegistered.model_validate(event)
    assert records[0].key == client["id"].encode()
    assert event["client_id"] == client["id"]
    assert event["phone"] == "+49301234567"
    assert event["email"] == "zoe.mueller@example.com"
    assert event["category"] == "vip"
    assert event["card_number"] == client["card_number"]
    assert event["consents"]["sms"]["granted"] is True
    assert event["consents"]["sms"]["source"] == "front_desk"
    assert event["consents"]["email"]["granted"] is False
    assert event["tags"] == ["indecisive"]


async def test_the_card_keeps_every_field_normalised(api: httpx.AsyncClient) -> None:
    client = await register(api, **FULL_CARD)
    card = (await api.get(f"/internal/v1/clients/{client['id']}")).json()
    assert card["name"] == "Zoë Müller"
    assert card["phones"] == ["+49301234567", "+491701234567"]
    assert card["birthday"] == "1990-04-01"
    assert card["name_day"] == "05-15"
    assert card["store_id"] == "S1" and card["employee_id"] == "E7"
    assert card["consents"]["sms"]["at"]
    assert card["category"] == "vip"
    assert card["handling_tips"][0]["code"] == "indecisive"
    assert "options" in card["handling_tips"][0]["tips"]
    assert card["card_number"].startswith("4000") and len(card["card_number"]) == 16


async def test_same_phone_written_differently_is_a_duplicate(api: httpx.AsyncClient) -> None:
    first = await register(api, name="A", phone="+49 30 1234567")
    second = await api.post("/internal/v1/clients", json={"name": "B", "phone": "030 1234567"})
    assert second.status_code == 409
    assert second.json()["existing_client_id"] == first["id"]
    assert second.json()["field"] == "phone"


async def test_same_email_in_other_case_is_a_duplicate(api: httpx.AsyncClient) -> None:
    first = await register(api, name="A", email="ada@example.com")
    second = await api.post("/internal/v1/clients", json={"name": "B", "email": "ADA@Example.com"})
    assert second.status_code == 409
    assert second.json()["existing_client_id"] == first["id"]


async def test_a_refused_duplicate_leaves_its_other_keys_free(api: httpx.AsyncClient) -> None:
    await register(api, name="A", phone="030 1234567")
    refused = await api.post(
        "/internal/v1/clients",
        json={"name": "Bertram", "email": "b@example.com", "phone": "030 1234567"},
    )
    assert refused.status_code == 409
    by_name = (await api.get("/internal/v1/clients", params={"q": "bertram"})).json()
    assert by_name["total"] == 0
    await register(api, name="B", email="b@example.com")


async def test_unreadable_phone_is_a_422_that_names_it(api: httpx.AsyncClient) -> None:
    r = await api.post("/internal/v1/clients", json={"name": "A", "phone": "call me"})
    assert r.status_code == 422
    assert "call me" in r.json()["detail"]


async def test_unknown_category_or_tag_is_a_422(api: httpx.AsyncClient) -> None:
    r = await api.post("/internal/v1/clients", json={"name": "A", "category": "gold"})
    assert r.status_code == 422
    assert "category 'gold'" in r.json()["detail"]
    r = await api.post("/internal/v1/clients", json={"name": "A", "tags": ["grumpy"]})
    assert r.status_code == 422
    assert "tag 'grumpy'" in r.json()["detail"]


async def test_a_key_left_by_a_crash_is_taken_over(api: httpx.AsyncClient, slate: Slate) -> None:
    """A lookup whose client was never written (a crash between the two) is no duplicate."""
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(slate.infra.mongodb)
    try:
        lookups = mongo[registry_settings(slate).mongodb_db]["lookups"]
        await lookups.insert_one({"_id": "phone:+49301234567", "client_id": "never-written"})
        ada = await register(api, name="Ada", phone="030 1234567", email="ada@example.com")
        owner = await lookups.find_one({"_id": "phone:+49301234567"})
    finally:
        await mongo.close()
    assert owner is not None and owner["client_id"] == ada["id"]
    found = (await api.get("/internal/v1/clients", params={"q": "030 1234567"})).json()
    assert [c["id"] for c in found["items"]] == [ada["id"]]


async def test_every_route_and_handler_share_one_context_built_at_start(slate: Slate) -> None:
    app = create_app(registry_settings(slate))
    async with running(app) as api:
        built = app.state.context()
        await register(api, name="Once Only", phone="+49 30 7777001")
        r = await api.get("/internal/v1/clients", params={"q": "once"})
        assert r.status_code == 200 and r.json()["total"] == 1
        assert app.state.context() is built  # not rebuilt per request
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.clients = built.clients  # type: ignore[misc]
