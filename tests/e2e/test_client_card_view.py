"""The client card stays true while the gateway keeps its card view (issue 15).

Every service a real process on the real broker and store. The card's complaints and
survey scores come from the gateway's card view (`card_views`, fed by events and by
complaints writes through the gateway); the registry's and loyalty's parts are read
live. A purchase published by a POS moves the balance, a complaint filed and worked
through the gateway shows at once, a survey answer published on Kafka shows its
score, and erasing the client removes its view.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from shared.contracts.surveys import SurveyAnswered
from tests.conftest import Slate
from tests.e2e.test_complaint_flow import publish
from tests.integration.loyalty.pos import publish_all, purchase
from tests.support.kafka import eventually
from tests.support.processes import ServiceProcess
from tests.support.stack import whole_stack
from tests.support.staff import login

Card = dict[str, Any]


def card_of(api: httpx.AsyncClient, client_id: str) -> Callable[..., Awaitable[Any]]:
    async def card(when: Callable[[Card], Any] = lambda c: True) -> Card | None:
        r = await api.get(f"/api/v1/clients/{client_id}")
        assert r.status_code == 200, r.text
        body: Card = r.json()
        return body if not body["unavailable"] and when(body) else None

    return card


async def test_the_card_follows_a_purchase_a_complaint_an_answer_and_erasure(
    slate: Slate, spawn: Callable[..., ServiceProcess], mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    stack = whole_stack(spawn)
    views = mongo[slate.db_name("gateway")]["card_views"]
    async with httpx.AsyncClient(base_url=stack.gateway.url, timeout=10) as api:
        api.headers.update(await login(api))
        r = await api.post("/api/v1/clients", json={"name": "Vera View", "phone": "+4930555012"})
        assert r.status_code == 201, r.text
        client_id, card_number = r.json()["id"], r.json()["card_number"]
        card = card_of(api, client_id)

        first = await eventually(lambda: card(lambda c: c["loyalty"]))
        kept = await views.find_one({"_id": client_id})

        await publish_all(
            slate.infra.kafka,
            slate.topic("purchase.recorded"),
            [purchase("CV-1", card=card_number)],
        )
        bought = await eventually(lambda: card(lambda c: c["loyalty"]["balance"] != "0.00"))
        account = (await api.get(f"/api/v1/clients/{client_id}/ledger")).json()

        topic = (await api.get("/api/v1/complaints/topics")).json()["topics"][0]
        case = {"client_id": client_id, "kind": "complaint", "channel": "phone", "topic": topic}
        filed = await api.post("/api/v1/complaints", json=case | {"text": "a rude cashier"})
        assert filed.status_code == 201, filed.text
        case_id = filed.json()["id"]
        with_case = await card()  # at once: the write through the gateway cleared the view
        moved = await api.post(
            f"/api/v1/complaints/{case_id}/status", json={"status": "in_progress"}
        )
        assert moved.status_code == 200, moved.text
        in_progress = await card()  # no event says so: the gateway's write cleared it

        answer = SurveyAnswered(survey_id="sv-view", client_id=client_id, score=9, employee_id="E7")
        await publish(slate, answer)
        scored = await eventually(lambda: card(lambda c: c["scores"]["latest"]))

        erased = await api.post(f"/api/v1/clients/{client_id}/erase", json={})
        assert erased.status_code == 200, erased.text
        gone = await eventually(lambda: views_without(views, client_id))
        after = await api.get(f"/api/v1/clients/{client_id}")

    assert first["complaints"] == [] and first["scores"]["latest"] == []
    assert kept is not None and kept["complaints"] == [] and kept["scores"]["latest"] == []
    assert bought["loyalty"]["balance"] == account["balance"]  # loyalty's own ledger says so
    assert [e["purchase_id"] for e in account["entries"]] == ["CV-1"]
    assert [c["id"] for c in with_case["complaints"]] == [case_id]
    assert with_case["client"]["signals"]["open_complaints"] == 1
    assert [c["status"] for c in in_progress["complaints"]] == ["in_progress"]
    assert [(s["survey_id"], s["score"]) for s in scored["scores"]["latest"]] == [("sv-view", 9)]
    assert scored["client"]["signals"]["latest_survey_score"] == 9
    assert gone
    assert after.status_code == 404 or after.json()["client"]["status"] == "erased", after.text
    assert "a rude cashier" not in after.text and await views.find_one({"_id": client_id}) is None


async def views_without(views: Any, client_id: str) -> bool:
    return await views.find_one({"_id": client_id}) is None
