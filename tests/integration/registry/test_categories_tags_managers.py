"""Categories (built-in and custom), behaviour tags with tips, personal managers."""

from __future__ import annotations

import httpx

from tests.conftest import Slate
from tests.integration.registry.conftest import distinct_events, register
from tests.support.kafka import read_topic


async def test_admins_create_custom_categories_next_to_the_built_in_ones(
    api: httpx.AsyncClient,
) -> None:
    body = {"code": "wholesale", "name": "Wholesale", "description": "B2B buyers"}
    assert (await api.post("/internal/v1/categories", json=body)).status_code == 201
    assert (await api.post("/internal/v1/categories", json=body)).status_code == 409
    clash = await api.post("/internal/v1/categories", json=body | {"code": "vip"})
    assert clash.status_code == 409
    codes = [c["code"] for c in (await api.get("/internal/v1/categories")).json()]
    assert codes == ["regular", "vip", "problem", "employee", "wholesale"]
    client = await register(api, name="Acme Buyer", category="wholesale")
    assert client["category"] == "wholesale"


async def test_category_change_needs_a_reason_and_is_announced_with_the_changed_field(
    slate: Slate, api: httpx.AsyncClient
) -> None:
    client = await register(api, name="Ada")
    path = f"/internal/v1/clients/{client['id']}"
    refused = await api.patch(path, json={"category": "problem"})
    assert refused.status_code == 422
    assert "reason" in refused.json()["detail"]
    r = await api.patch(path, json={"category": "problem", "reason": "two bounced payments"})
    assert r.status_code == 200, r.text
    card = r.json()
    assert card["category"] == "problem"
    (entry,) = card["history"]
    assert entry["field"] == "category" and entry["old"] == "regular"
    assert entry["new"] == "problem" and entry["reason"] == "two bounced payments"
    records = await read_topic(slate.infra.kafka, slate.topic("client.updated"), expect=1)
    (event,) = distinct_events(records)
    assert event["changed"] == {"category": "problem"}
    assert event["reason"] == "two bounced payments"


async def test_consent_changes_keep_time_and_source_per_channel(api: httpx.AsyncClient) -> None:
    client = await register(api, name="Ada", consents={"sms": True})
    r = await api.patch(
        f"/internal/v1/clients/{client['id']}",
        json={"consents": {"sms": False, "post": True}, "consent_source": "phone_call"},
    )
    consents = r.json()["consents"]
    assert consents["sms"]["granted"] is False and consents["sms"]["source"] == "phone_call"
    assert consents["post"]["granted"] is True
    assert consents["sms"]["at"] > client["consents"]["sms"]["at"]


async def test_custom_tags_carry_their_own_handling_tips(api: httpx.AsyncClient) -> None:
    tag = {"code": "talkative", "name": "Talkative", "tips": "Keep it short, summarise."}
    assert (await api.post("/internal/v1/tags", json=tag)).status_code == 201
    client = await register(api, name="Ada", tags=["aggressive"])
    r = await api.patch(
        f"/internal/v1/clients/{client['id']}", json={"tags": ["aggressive", "talkative"]}
    )
    tips = {t["code"]: t["tips"] for t in r.json()["handling_tips"]}
    assert "do not argue" in tips["aggressive"]
    assert tips["talkative"] == "Keep it short, summarise."
    codes = [t["code"] for t in (await api.get("/internal/v1/tags")).json()]
    assert codes == ["indecisive", "highly_critical", "aggressive", "talkative"]


async def test_a_manager_lists_their_clients_and_reassignment_keeps_history(
    api: httpx.AsyncClient,
) -> None:
    ada = await register(api, name="Ada", manager_id="M1")
    bob = await register(api, name="Bob", manager_id="M1")
    r = await api.patch(
        f"/internal/v1/clients/{bob['id']}", json={"manager_id": "M2", "reason": "M1 left"}
    )
    assert r.status_code == 200, r.text
    (entry,) = r.json()["history"]
    assert (entry["field"], entry["old"], entry["new"]) == ("manager_id", "M1", "M2")
    m1 = [c["id"] for c in (await api.get("/internal/v1/managers/M1/clients")).json()]
    m2 = [c["id"] for c in (await api.get("/internal/v1/managers/M2/clients")).json()]
    assert m1 == [ada["id"]]
    assert m2 == [bob["id"]]


async def test_changing_the_phone_frees_the_old_one(api: httpx.AsyncClient) -> None:
    ada = await register(api, name="Ada", phone="030 1234567")
    r = await api.patch(f"/internal/v1/clients/{ada['id']}", json={"phones": ["030 7654321"]})
    assert r.json()["phones"] == ["+49307654321"]
    await register(api, name="Bob", phone="+49 30 1234567")
    taken = await api.post("/internal/v1/clients", json={"name": "Cy", "phone": "030 7654321"})
    assert taken.status_code == 409
