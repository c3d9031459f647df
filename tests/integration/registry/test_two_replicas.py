"""Two registry replicas (two apps on one database) registering at once: every name
search finds each client exactly once; a phone registered twice at once gets one
client, the other registration a 409. Issue 17's size (2,000 clients, 200 phones) runs
in `make reliability` (tests/reliability/test_registry_replicas.py)."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx

from services.registry.main import create_app
from services.registry.search.model import normalise_name
from tests.conftest import Slate, running
from tests.integration.registry.conftest import registry_settings

FIRST = ("Anna", "Annika", "Anneliese", "Anton", "Andrea")


async def search_all(api: httpx.AsyncClient, q: str) -> list[str]:
    """Every client id a name search lists, page by page (duplicates kept)."""
    ids: list[str] = []
    for page in range(1, 100):
        r = await api.get("/internal/v1/clients", params={"q": q, "page": page, "page_size": 100})
        assert r.status_code == 200, r.text
        ids += [item["id"] for item in r.json()["items"]]
        if page * 100 >= r.json()["total"]:
            return ids
    raise AssertionError(f"{q}: too many pages")


async def each_found_once_by_name(slate: Slate, clients: int) -> None:
    """`clients` registered half at each replica at once, names sharing prefixes."""
    apps = [create_app(registry_settings(slate)) for _ in range(2)]
    gate = asyncio.Semaphore(40)

    async def register(api: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response:
        async with gate:
            return await api.post("/internal/v1/clients", json=body)

    async with running(apps[0]) as a, running(apps[1]) as b:
        bodies = [
            {"name": f"{FIRST[n % 5]} Berg{n:04d}", "phone": f"+49 30 5{n:06d}"}
            for n in range(clients)
        ]
        answers = await asyncio.gather(*(register((a, b)[n % 2], x) for n, x in enumerate(bodies)))
        assert [r.status_code for r in answers] == [201] * clients, answers[0].text
        names = {r.json()["id"]: normalise_name(r.json()["name"]) for r in answers}
        everyone = Counter(await search_all(b, "berg"))
        by_first = {f: Counter(await search_all((a, b)[i % 2], f)) for i, f in enumerate(FIRST)}
    assert set(everyone) == set(names) and set(everyone.values()) == {1}
    for first, found in by_first.items():
        expected = {cid for cid, name in names.items() if name.split()[0] == first.lower()}
        assert set(found) == expected and set(found.values()) == {1}, first


async def one_client_per_phone(slate: Slate, phones: int) -> None:
    """Each of `phones` numbers registered at both replicas at once."""
    apps = [create_app(registry_settings(slate)) for _ in range(2)]
    async with running(apps[0]) as a, running(apps[1]) as b:
        pairs = [
            asyncio.gather(
                a.post("/internal/v1/clients", json={"name": f"Carl Kollision{n}", "phone": p}),
                b.post("/internal/v1/clients", json={"name": f"Clara Kollision{n}", "phone": p}),
            )
            for n, p in enumerate(f"+49 40 6{n:06d}" for n in range(phones))
        ]
        answers = await asyncio.gather(*pairs)
        found = await search_all(a, "kollision")
    assert [sorted(r.status_code for r in pair) for pair in answers] == [[201, 409]] * phones
    winners = {r.json()["id"] for pair in answers for r in pair if r.status_code == 201}
    assert Counter(found) == Counter(winners)  # the refused ones left no name behind
    conflicts = [r.json() for pair in answers for r in pair if r.status_code == 409]
    assert {c["existing_client_id"] for c in conflicts} == winners


async def test_two_replicas_register_500_clients_each_found_once_by_name(slate: Slate) -> None:
    await each_found_once_by_name(slate, 500)


async def test_a_phone_registered_at_both_replicas_at_once_is_one_client(slate: Slate) -> None:
    await one_client_per_phone(slate, 100)
