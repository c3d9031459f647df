"""Search by card, phone in any format, email, or the start of a name; paginated."""

from __future__ import annotations

from typing import Any

import httpx

from tests.integration.registry.conftest import register


async def search(api: httpx.AsyncClient, q: str, **params: Any) -> dict[str, Any]:
    r = await api.get("/internal/v1/clients", params={"q": q, **params})
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


async def test_exact_keys_find_the_client(api: httpx.AsyncClient) -> None:
    ada = await register(api, name="Ada Lovelace", phone="+49 30 1234567", email="ada@example.com")
    by_phone = await search(api, "030 123 45 67")
    assert by_phone["match"] == "phone" and [c["id"] for c in by_phone["items"]] == [ada["id"]]
    by_email = await search(api, "ADA@example.com")
    assert by_email["match"] == "email" and by_email["items"][0]["id"] == ada["id"]
    by_card = await search(api, ada["card_number"])
    assert by_card["items"][0]["id"] == ada["id"] and "card" in by_card["match"]
    assert (await search(api, "030 9999999"))["items"] == []


async def test_name_prefix_ignores_case_and_accents(api: httpx.AsyncClient) -> None:
    zoe = await register(api, name="Zoë Müller")
    await register(api, name="Max Mustermann")
    for q in ("mull", "MÜL", "zoe mu", "Zoë", "muller zo"):
        found = await search(api, q)
        assert found["match"] == "name"
        assert [c["id"] for c in found["items"]] == [zoe["id"]], q
    assert (await search(api, "mux"))["items"] == []


async def test_name_search_is_paginated_in_name_order(api: httpx.AsyncClient) -> None:
    names = [f"Anna Schmidt{chr(ord('a') + i)}" for i in range(5)]
    for name in reversed(names):
        await register(api, name=name)
    first = await search(api, "schm", page=1, page_size=2)
    third = await search(api, "schm", page=3, page_size=2)
    assert first["total"] == 5
    assert [c["name"] for c in first["items"]] == names[:2]
    assert [c["name"] for c in third["items"]] == names[4:]


async def test_a_renamed_client_is_found_by_the_new_name_only(api: httpx.AsyncClient) -> None:
    ada = await register(api, name="Ada Byron")
    await api.patch(f"/internal/v1/clients/{ada['id']}", json={"name": "Ada Lovelace"})
    assert [c["id"] for c in (await search(api, "lovel"))["items"]] == [ada["id"]]
    assert (await search(api, "byron"))["items"] == []


async def test_a_rename_that_normalises_alike_keeps_the_client_findable(
    api: httpx.AsyncClient,
) -> None:
    client = await register(api, name="Zoë Ngata", phone="+49 30 4440001")
    r = await api.patch(f"/internal/v1/clients/{client['id']}", json={"name": "Zoe Ngata"})
    assert r.status_code == 200, r.text
    assert [c["id"] for c in (await search(api, "ngata"))["items"]] == [client["id"]]


async def test_an_empty_query_is_a_422(api: httpx.AsyncClient) -> None:
    r = await api.get("/internal/v1/clients", params={"q": ""})
    assert r.status_code == 422


SHOWN = ("id", "status", "name", "phone", "email", "card_number", "category", "birthday")


async def test_a_key_search_shows_the_client_as_it_is_after_every_change(
    api: httpx.AsyncClient,
) -> None:
    """The search answer comes from the lookup document alone: each write keeps it true."""
    ada = await register(api, name="Ada Byron", phone="+49 30 1234567", email="ada@example.com")
    path = f"/internal/v1/clients/{ada['id']}"
    changes = {"name": "Ada Lovelace", "email": "ada@lovelace.org", "birthday": "1815-12-10"}
    assert (await api.patch(path, json=changes)).status_code == 200
    category = {"category": "problem", "reason": "two bounced payments"}
    assert (await api.patch(path, json=category)).status_code == 200
    lost = ada["card_number"]
    r = await api.post(f"{path}/cards/{lost}/replace", json={"reason": "lost"})
    assert r.status_code == 200, r.text
    now = (await api.get(path)).json()
    assert now["card_number"] != lost and now["category"] == "problem"
    shown = {k: now[k] for k in SHOWN}
    for q in ("030 1234567", "ada@lovelace.org", now["card_number"], lost):
        assert (await search(api, q))["items"] == [shown], q
    assert (await search(api, "ada@example.com"))["items"] == []

    bob = await register(api, name="Bob Byron", phone="+49 30 7654321")
    r = await api.post(f"{path}/merge", json={"survivor_id": bob["id"]})
    assert r.status_code == 200, r.text
    pointer = {"id": ada["id"], "status": "merged", "merged_into": bob["id"]}
    assert (await search(api, now["card_number"]))["items"] == [pointer]
