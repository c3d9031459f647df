"""The case workflow: every invalid move is a 409 naming the allowed ones; every valid
move is kept with actor, time and comment."""

from __future__ import annotations

from typing import Any

import httpx

from services.complaints.cases.model import TRANSITIONS
from services.complaints.main import create_app
from tests.conftest import Slate, running
from tests.integration.complaints.support import complaints_settings
from tests.support.kafka import payloads, read_topic

STATUSES = ["new", "in_progress", "waiting_for_client", "resolved", "closed"]
# A walk through every status that uses every allowed transition at least once.
VALID_WALK = [
    "in_progress",
    "waiting_for_client",
    "in_progress",
    "resolved",
    "in_progress",  # reopen from resolved
    "waiting_for_client",
    "resolved",
    "closed",
    "in_progress",  # reopen from closed
    "resolved",
]


async def new_case(api: httpx.AsyncClient) -> str:
    r = await api.post(
        "/internal/v1/complaints",
        json={"client_id": "c-9", "kind": "claim", "channel": "email", "topic": "billing"},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def move(api: httpx.AsyncClient, case_id: str, status: str, actor: str) -> httpx.Response:
    return await api.post(
        f"/internal/v1/complaints/{case_id}/status",
        json={"status": status, "comment": f"to {status}", "founded": True},
        headers={"X-Actor": actor},
    )


async def test_every_invalid_transition_is_a_409_listing_the_allowed_ones(slate: Slate) -> None:
    async with running(create_app(complaints_settings(slate))) as api:
        case_id = await new_case(api)
        refused: list[tuple[str, str]] = []
        status = "new"
        for step in VALID_WALK:
            for wanted in STATUSES:
                if wanted in TRANSITIONS[status]:
                    continue
                r = await move(api, case_id, wanted, "nobody")
                assert r.status_code == 409, (status, wanted, r.text)
                assert r.json()["allowed"] == list(TRANSITIONS[status])
                assert r.json()["status"] == status
                refused.append((status, wanted))
            assert (await move(api, case_id, step, "ann")).status_code == 200
            status = step
    assert {s for s, _ in refused} == set(STATUSES)  # every status was tried


async def test_every_valid_transition_is_audited_with_actor_time_and_comment(
    slate: Slate,
) -> None:
    async with running(create_app(complaints_settings(slate))) as api:
        case_id = await new_case(api)
        for n, step in enumerate(VALID_WALK):
            r = await move(api, case_id, step, f"staff-{n}")
            assert r.status_code == 200, r.text
        case: dict[str, Any] = (await api.get(f"/internal/v1/complaints/{case_id}")).json()
        resolved = await read_topic(
            slate.infra.kafka, slate.topic("complaint.resolved"), expect=3, timeout_s=10
        )
    changes = [h for h in case["history"] if h["action"] in ("status", "reopen")]
    assert [h["to_status"] for h in changes] == VALID_WALK
    assert [h["actor"] for h in changes] == [f"staff-{n}" for n in range(len(VALID_WALK))]
    assert all(h["comment"] == f"to {h['to_status']}" and h["at"] for h in changes)
    assert [h["action"] for h in changes].count("reopen") == 2
    assert case["status"] == "resolved"
    assert case["first_response_at"] is not None
    unique = {e["event_id"]: e for e in payloads(resolved)}
    assert len(unique) == 3  # resolved three times (twice reopened)


async def test_a_resolved_case_leaves_the_board_and_a_reopened_one_returns(slate: Slate) -> None:
    async with running(create_app(complaints_settings(slate))) as api:
        case_id = await new_case(api)
        for step in ("in_progress", "resolved"):
            await move(api, case_id, step, "ann")
        after_resolve = (await api.get("/internal/v1/complaints")).json()["count"]
        await move(api, case_id, "in_progress", "ann")
        after_reopen = (await api.get("/internal/v1/complaints")).json()["items"]
    assert after_resolve == 0
    assert [i["id"] for i in after_reopen] == [case_id]
    assert after_reopen[0]["status"] == "in_progress"
