"""Events that arrive before the registration of their client wait for it (park and retry).

Returns, merges and erasures travel on other topics than `client.registered`, so
complaints may see them first. Each test sends the dependent event FIRST.
"""

from __future__ import annotations

from typing import Any

import httpx
from pymongo import AsyncMongoClient

from services.complaints.main import create_app
from shared.contracts.registry import ClientErased, ClientMerged, ClientRegistered
from tests.conftest import Slate, running
from tests.integration.complaints.support import complaints_settings, publish
from tests.integration.complaints.test_problem_clients import proposals, returned
from tests.support.kafka import eventually, read_topic


def parked(db: Any, key: str, n: int = 1) -> Any:
    async def check() -> Any:
        doc = await db.waiting.find_one({"_id": f"waiting:{key}"})
        events = (doc or {}).get("events", [])
        return events if len(events) == n else None

    return check


async def test_returns_by_card_before_the_registration_are_counted_once_the_client_registers(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("complaints")]
    first = returned("r-1", "C900")
    async with running(create_app(complaints_settings(slate, problem_returns=2))) as api:
        for event in (first, first, returned("r-2", "C900")):  # r-1 delivered twice
            await publish(slate, event)
        waiting = await eventually(parked(db, "card_number:C900", 2))
        assert {e["reason"] for e in waiting} == {"return_of_unknown_client"}

        await publish(slate, ClientRegistered(client_id="c-r", name="Ray", card_number="C900"))

        async def proposed() -> Any:
            return (await proposals(api)).get("c-r")

        found = await eventually(proposed)

        async def released() -> bool:
            # the waiting document goes once its events were re-applied (just after)
            return await db.waiting.find_one({"_id": "waiting:card_number:C900"}) is None

        assert await eventually(released)
    assert sorted(found["evidence"]["returns"]) == ["r-1", "r-2"]


async def test_a_merge_before_the_merged_clients_registration_moves_cases_and_card(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("complaints")]
    async with running(create_app(complaints_settings(slate, problem_returns=1))) as api:
        case = await _open_case(api, "old")
        await publish(slate, ClientMerged(survivor_id="new", merged_id="old"))
        await eventually(parked(db, "client:old"))
        await publish(slate, ClientRegistered(client_id="old", name="Ada", card_number="C901"))

        async def on_survivor() -> Any:
            return (await api.get("/internal/v1/clients/new/complaints")).json() or None

        (moved,) = await eventually(on_survivor)

        async def merged_away() -> bool:  # the merge's last step, after the card moved
            return (await api.get("/internal/v1/clients/old")).status_code == 404

        await eventually(merged_away)
        await publish(slate, returned("r-9", "C901"))  # the merged client's card

        async def proposed() -> Any:
            return (await proposals(api)).get("new")

        found = await eventually(proposed)
        old = await api.get("/internal/v1/clients/old")
    assert moved["id"] == case["id"]
    assert found["evidence"]["returns"] == ["r-9"]
    assert old.status_code == 404  # merged away, not brought back by its registration


async def test_an_erasure_before_the_registration_is_not_undone_by_it(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("complaints")]
    async with running(create_app(complaints_settings(slate))) as api:
        await publish(slate, ClientErased(client_id="c-e"))
        await eventually(lambda: db.lookups.find_one({"_id": "gone:c-e"}))
        await publish(slate, ClientRegistered(client_id="c-e", name="Eve", card_number="C902"))
        metric = f'topic="{slate.topic("client.registered")}"'

        async def registration_handled() -> bool:
            text = (await api.get("/metrics")).text
            return any(
                line.startswith("clientele_messages_consumed_total") and metric in line
                for line in text.splitlines()
            )

        await eventually(registration_handled)
        client = await api.get("/internal/v1/clients/c-e")
        card = await db.lookups.find_one({"_id": "card_number:C902"})
    assert client.status_code == 404
    assert card is None


async def test_a_return_whose_client_never_registers_goes_to_the_dlq_with_the_reason(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("complaints")]
    settings = complaints_settings(slate, waiting_max_age_h=1 / 3600, waiting_sweep_interval_s=0.5)
    event = returned("r-x", "C903")
    async with running(create_app(settings)):
        await publish(slate, event)
        dead = await read_topic(slate.infra.kafka, slate.topic("purchase.returned.dlq"), expect=1)

        async def withdrawn() -> bool:
            doc = await db.waiting.find_one({"_id": "waiting:card_number:C903"})
            return not (doc or {}).get("events")

        await eventually(withdrawn)
    assert len(dead) == 1
    headers = {k: bytes(v).decode() for k, v in dead[0].headers}
    assert headers["x-dlq-reason"] == "client_never_registered"
    assert dead[0].value == event.model_dump_json().encode()


async def _open_case(api: httpx.AsyncClient, client_id: str) -> dict[str, Any]:
    r = await api.post(
        "/internal/v1/complaints",
        json={"client_id": client_id, "channel": "email", "topic": "pricing", "text": "..."},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())
