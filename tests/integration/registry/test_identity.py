"""Possible duplicates on registration, merging two clients, erasing one."""

from __future__ import annotations

import httpx

from tests.conftest import Slate
from tests.integration.registry.conftest import distinct_events, register
from tests.support.kafka import read_topic


async def test_similar_name_and_same_birthday_is_reported_as_a_possible_duplicate(
    api: httpx.AsyncClient,
) -> None:
    jon = await register(api, name="Jon Smith", birthday="1980-02-03")
    await register(api, name="Jon Smith", birthday="1981-02-03")
    john = await register(api, name="John Smith", birthday="1980-02-03")
    assert [d["id"] for d in john["possible_duplicates"]] == [jon["id"]]
    assert john["possible_duplicates"][0]["name"] == "Jon Smith"
    mary = await register(api, name="Mary Smith", birthday="1980-02-03")
    assert mary["possible_duplicates"] == []


async def test_merge_announces_once_and_the_merged_client_is_only_a_pointer(
    slate: Slate, api: httpx.AsyncClient
) -> None:
    keep = await register(api, name="Grace Hopper", phone="030 1111111")
    dup = await register(api, name="Grace Hoper", phone="030 2222222")
    r = await api.post(f"/internal/v1/clients/{dup['id']}/merge", json={"survivor_id": keep["id"]})
    assert r.status_code == 200, r.text
    assert r.json()["id"] == keep["id"]
    again = await api.post(
        f"/internal/v1/clients/{dup['id']}/merge", json={"survivor_id": keep["id"]}
    )
    assert again.status_code == 409
    assert again.json()["merged_into"] == keep["id"]

    by_name = (await api.get("/internal/v1/clients", params={"q": "grace"})).json()["items"]
    assert {"id": dup["id"], "status": "merged", "merged_into": keep["id"]} in by_name
    assert [c["id"] for c in by_name if c["status"] == "active"] == [keep["id"]]
    by_phone = (await api.get("/internal/v1/clients", params={"q": "030 2222222"})).json()
    assert by_phone["items"] == [{"id": dup["id"], "status": "merged", "merged_into": keep["id"]}]
    card = (await api.get(f"/internal/v1/clients/{dup['id']}")).json()
    assert card["id"] == keep["id"] and card["resolved_from"] == dup["id"]
    taken = await api.post("/internal/v1/clients", json={"name": "X", "phone": "030 2222222"})
    assert taken.json()["existing_client_id"] == keep["id"]

    records = await read_topic(
        slate.infra.kafka, slate.topic("client.merged"), expect=2, timeout_s=3
    )
    events = distinct_events(records)
    assert len(events) == 1
    assert (events[0]["merged_id"], events[0]["survivor_id"]) == (dup["id"], keep["id"])


async def test_erasure_forgets_the_person_and_frees_the_lookups(
    slate: Slate, api: httpx.AsyncClient
) -> None:
    ada = await register(
        api,
        name="Ada Lovelace",
        phone="030 1234567",
        email="ada@example.com",
        birthday="1815-12-10",
        consents={"sms": True},
        manager_id="M1",
    )
    await api.patch(
        f"/internal/v1/clients/{ada['id']}", json={"category": "vip", "reason": "patron"}
    )
    r = await api.post(f"/internal/v1/clients/{ada['id']}/erase", headers={"X-Actor": "admin1"})
    assert r.status_code == 200, r.text
    gone = r.json()
    assert gone["status"] == "erased"
    assert gone["name"] == "" and gone["phones"] == [] and gone["email"] is None
    assert gone["birthday"] is None and gone["consents"] == {} and gone["cards"] == []
    assert gone["category"] == "vip"  # anonymised history stays
    assert [h["field"] for h in gone["history"]] == ["category", "erased"]
    for q in ("lovelace", "030 1234567", "ada@example.com", ada["card_number"]):
        found = (await api.get("/internal/v1/clients", params={"q": q})).json()
        assert found["items"] == [], q
    assert (await api.get("/internal/v1/managers/M1/clients")).json() == []
    await register(api, name="Someone Else", phone="030 1234567", email="ada@example.com")
    records = await read_topic(slate.infra.kafka, slate.topic("client.erased"), expect=1)
    (event,) = distinct_events(records)
    assert event["client_id"] == ada["id"] and event["actor"] == "admin1"
