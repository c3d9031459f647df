"""Every state machine, driven the wrong way through the gateway: a 4xx that says why,
never a 500 (issue 13 item 7: the fuzz test, stateless, never reached a case that was
not `new`, so it missed the 500 of an invalid transition).

Registry, complaints and the gateway run as processes. Covered: the complaint
workflow (every invalid transition from every status: 409 naming the allowed ones),
cards (block and replace), merge and erase.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from services.complaints.cases.model import TRANSITIONS
from tests.support.processes import ServiceProcess
from tests.support.stack import gateway_over
from tests.support.staff import login

PROBLEM = "application/problem+json"
STATUSES = list(TRANSITIONS)
# A walk through every status that uses every allowed transition at least once.
VALID_WALK = [
    "in_progress", "waiting_for_client", "in_progress", "resolved", "in_progress",
    "waiting_for_client", "resolved", "closed", "in_progress", "resolved", "closed",
]  # fmt: skip


def started(spawn: Callable[..., ServiceProcess]) -> ServiceProcess:
    registry = spawn("registry")
    complaints = spawn("complaints", {"COMPLAINTS_REGISTRY_URL": registry.url})
    gateway = gateway_over(spawn, registry, complaints)
    for p in (registry, complaints):
        p.wait_healthy(timeout_s=120)
    gateway.wait_healthy(timeout_s=120, path="/healthz")  # loyalty, surveys: not needed
    return gateway


def refused(r: httpx.Response, status: int, why: str) -> dict[str, Any]:
    assert r.status_code == status, (why, r.status_code, r.text)
    assert r.headers["content-type"] == PROBLEM, why
    body: dict[str, Any] = r.json()
    assert body["status"] == status and body["detail"], (why, body)
    return body


async def test_every_invalid_complaint_transition_is_a_409_naming_the_allowed_ones(
    spawn: Callable[..., ServiceProcess],
) -> None:
    async with httpx.AsyncClient(base_url=started(spawn).url, timeout=20) as api:
        api.headers.update(await login(api))
        client = (await api.post("/api/v1/clients", json={"name": "Ada"})).json()["id"]
        case = await api.post(
            "/api/v1/complaints",
            json={"client_id": client, "channel": "phone", "topic": "staff_behaviour"},
        )
        assert case.status_code == 201, case.text
        path = f"/api/v1/complaints/{case.json()['id']}/status"
        tried: set[tuple[str, str]] = set()
        status = "new"
        for step in VALID_WALK:
            for wanted in STATUSES:
                if wanted in TRANSITIONS[status]:
                    continue
                body = refused(
                    await api.post(path, json={"status": wanted}), 409, f"{status}->{wanted}"
                )
                assert body["allowed"] == list(TRANSITIONS[status]), body
                assert body["current_status"] == status, body
                tried.add((status, wanted))
            moved = await api.post(path, json={"status": step, "founded": True})
            assert moved.status_code == 200, (status, step, moved.text)
            status = step
        refused(await api.post(path, json={"status": "archived"}), 422, "no such status")
        refused(await api.post(path, json={}), 422, "no status")
        refused(await api.post("/api/v1/complaints/nope/status", json={"status": "closed"}),
                404, "no such case")  # fmt: skip
        goodwill = await api.post(path.replace("/status", "/goodwill"), json={})
        assert goodwill.status_code < 500, goodwill.text
    every_invalid = {(s, w) for s in STATUSES for w in STATUSES if w not in TRANSITIONS[s]}
    assert tried == every_invalid


@dataclass
class People:
    survivor: dict[str, Any]
    merged: dict[str, Any]
    erased: dict[str, Any]
    plain: dict[str, Any]
    other: dict[str, Any]


async def people(api: httpx.AsyncClient) -> People:
    async def register(name: str, phone: str) -> dict[str, Any]:
        r = await api.post("/api/v1/clients", json={"name": name, "phone": phone})
        assert r.status_code == 201, r.text
        found: dict[str, Any] = r.json()
        return found

    found = People(
        survivor=await register("Grace Hopper", "+49 30 4440001"),
        merged=await register("Grace Hoper", "+49 30 4440002"),
        erased=await register("Erin Erased", "+49 30 4440003"),
        plain=await register("Paul Plain", "+49 30 4440004"),
        other=await register("Olga Other", "+49 30 4440005"),
    )
    merge = {"survivor_id": found.survivor["id"]}
    assert (await api.post(f"/api/v1/clients/{found.merged['id']}/merge", json=merge)).is_success
    assert (await api.post(f"/api/v1/clients/{found.erased['id']}/erase", json={})).is_success
    return found


def wrong_ways(p: People) -> list[tuple[str, str, dict[str, Any], int]]:
    """(why, path, body, status) for merges, erasures and card changes."""
    s, m, e, a, o = (x["id"] for x in (p.survivor, p.merged, p.erased, p.plain, p.other))
    card, other_card = p.plain["card_number"], p.other["card_number"]
    c = "/api/v1/clients"
    return [
        ("merge into itself", f"{c}/{a}/merge", {"survivor_id": a}, 422),
        ("merge a merged client again", f"{c}/{m}/merge", {"survivor_id": s}, 409),
        ("merge into an erased client", f"{c}/{a}/merge", {"survivor_id": e}, 409),
        ("merge an erased client", f"{c}/{e}/merge", {"survivor_id": a}, 409),
        ("merge into a merged client", f"{c}/{a}/merge", {"survivor_id": m}, 409),
        ("merge into nobody", f"{c}/{a}/merge", {"survivor_id": "nope"}, 404),
        ("merge nobody", f"{c}/nope/merge", {"survivor_id": a}, 404),
        ("merge without a survivor", f"{c}/{a}/merge", {}, 422),
        ("erase twice", f"{c}/{e}/erase", {}, 409),
        ("erase nobody", f"{c}/nope/erase", {}, 404),
        ("neither merge nor erase", f"{c}/{a}/explode", {}, 404),
        ("block a card twice (first)", f"{c}/{a}/cards/{card}/block", {"reason": "lost"}, 200),
        ("block a card twice", f"{c}/{a}/cards/{card}/block", {"reason": "lost"}, 409),
        ("replace a blocked card", f"{c}/{a}/cards/{card}/replace", {"reason": "lost"}, 409),
        ("block another client's card", f"{c}/{a}/cards/{other_card}/block",
         {"reason": "lost"}, 404),
        ("block an unknown card", f"{c}/{a}/cards/4000999999999999/block", {"reason": "x"}, 404),
        ("block without a reason", f"{c}/{o}/cards/{other_card}/block", {}, 422),
        ("card action that does not exist", f"{c}/{o}/cards/{other_card}/burn",
         {"reason": "x"}, 404),
        ("replace onto another client's card", f"{c}/{o}/cards/{other_card}/replace",
         {"reason": "lost", "card_number": p.survivor["card_number"]}, 409),
        ("bind another client's card", f"{c}/{a}/cards", {"card_number": other_card}, 409),
        ("a card for an erased client", f"{c}/{e}/cards", {}, 409),
        ("a card for a merged client", f"{c}/{m}/cards", {}, 409),
        ("block a card of an erased client", f"{c}/{e}/cards/{card}/block", {"reason": "x"},
         409),
    ]  # fmt: skip


async def test_merge_erase_and_cards_the_wrong_way_are_4xx_never_500(
    spawn: Callable[..., ServiceProcess],
) -> None:
    failures: list[str] = []
    async with httpx.AsyncClient(base_url=started(spawn).url, timeout=20) as api:
        api.headers.update(await login(api))
        found = await people(api)
        for why, path, body, status in wrong_ways(found):
            r = await api.post(path, json=body)
            if r.status_code != status or (status >= 400 and r.headers["content-type"] != PROBLEM):
                failures.append(f"{why}: {r.status_code} (wanted {status}) {r.text[:300]}")
        patch_erased = await api.patch(
            f"/api/v1/clients/{found.erased['id']}", json={"notes": "still here?"}
        )
        if patch_erased.status_code != 409:
            failures.append(f"change an erased client: {patch_erased.status_code}")
        erase_merged = await api.post(f"/api/v1/clients/{found.merged['id']}/erase", json={})
        if erase_merged.status_code >= 500:
            failures.append(f"erase a merged client: {erase_merged.status_code}")
    assert not failures, "\n".join(failures)
