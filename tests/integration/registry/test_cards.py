"""Club cards: issued with a Luhn check digit, plastic cards bound, lost cards replaced."""

from __future__ import annotations

import httpx
from stdnum import luhn

from tests.conftest import Slate
from tests.integration.registry.conftest import distinct_events, register
from tests.support.kafka import read_topic

PLASTIC = "4000123412341234"  # check digit 4 is right for 400012341234123
WRONG = "4000123412341235"


async def test_a_plastic_card_with_a_wrong_check_digit_is_refused_clearly(
    api: httpx.AsyncClient,
) -> None:
    r = await api.post("/internal/v1/clients", json={"name": "A", "card_number": WRONG})
    assert r.status_code == 422
    assert r.json()["detail"] == f"card number {WRONG}: check digit is wrong"


async def test_a_plastic_card_is_bound_at_registration_and_unique(api: httpx.AsyncClient) -> None:
    assert luhn.calc_check_digit(PLASTIC[:-1]) == PLASTIC[-1]
    first = await register(api, name="A", card_number="4000 1234 1234 1234")
    assert first["card_number"] == PLASTIC
    assert first["cards"][0]["source"] == "bound"
    again = await api.post("/internal/v1/clients", json={"name": "B", "card_number": PLASTIC})
    assert again.status_code == 409
    assert again.json()["existing_client_id"] == first["id"]


async def test_a_client_may_hold_several_cards(api: httpx.AsyncClient) -> None:
    client = await register(api, name="A")
    r = await api.post(f"/internal/v1/clients/{client['id']}/cards", json={})
    assert r.status_code == 201, r.text
    r = await api.post(f"/internal/v1/clients/{client['id']}/cards", json={"card_number": PLASTIC})
    assert r.status_code == 201, r.text
    cards = r.json()["cards"]
    assert len(cards) == 3 and all(c["status"] == "active" for c in cards)
    assert r.json()["card_number"] == PLASTIC


async def test_a_lost_card_is_blocked_and_replaced_keeping_the_history(
    slate: Slate, api: httpx.AsyncClient
) -> None:
    client = await register(api, name="A")
    lost = client["card_number"]
    r = await api.post(
        f"/internal/v1/clients/{client['id']}/cards/{lost}/replace", json={"reason": "lost"}
    )
    assert r.status_code == 200, r.text
    card = r.json()
    old, new = card["cards"]
    assert old["number"] == lost and old["status"] == "blocked" and old["block_reason"] == "lost"
    assert old["replaced_by"] == new["number"] and new["replaces"] == lost
    assert card["card_number"] == new["number"] != lost
    assert luhn.calc_check_digit(new["number"][:-1]) == new["number"][-1]
    again = await api.post(
        f"/internal/v1/clients/{client['id']}/cards/{lost}/block", json={"reason": "lost"}
    )
    assert again.status_code == 409
    records = await read_topic(slate.infra.kafka, slate.topic("client.updated"), expect=1)
    (event,) = distinct_events(records)
    assert event["client_id"] == client["id"]
    assert event["changed"]["card_number"] == new["number"]
    assert event["reason"] == "lost"


async def test_a_blocked_card_still_cannot_be_registered_again(api: httpx.AsyncClient) -> None:
    client = await register(api, name="A", card_number=PLASTIC)
    r = await api.post(
        f"/internal/v1/clients/{client['id']}/cards/{PLASTIC}/block", json={"reason": "stolen"}
    )
    assert r.status_code == 200 and r.json()["card_number"] is None
    again = await api.post("/internal/v1/clients", json={"name": "B", "card_number": PLASTIC})
    assert again.status_code == 409
