"""The POS quote applies category rules: problem -> prepayment, employee -> special prices."""

from __future__ import annotations

from typing import Any

import httpx

from services.loyalty.main import create_app
from tests.conftest import Slate, running
from tests.integration.loyalty.pos import loyalty_settings, register, registered
from tests.support.kafka import eventually

BASKET = [
    {"sku": "TEA", "quantity": "2", "unit_price": "3.50"},
    {"sku": "CUP", "quantity": "1", "unit_price": "10.00"},
]


async def opened(api: httpx.AsyncClient, *client_ids: str) -> bool:
    codes = [(await api.get(f"/internal/v1/accounts/{c}")).status_code for c in client_ids]
    return all(c == 200 for c in codes)


async def quote(api: httpx.AsyncClient, **who: Any) -> dict[str, Any]:
    r = await api.post("/internal/v1/quote", json={**who, "lines": BASKET})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_the_quote_enforces_category_rules(slate: Slate) -> None:
    async with running(create_app(loyalty_settings(slate))) as api:
        await register(slate, registered("q-reg", card="111"))
        await register(slate, registered("q-prob", card="222", category="problem"))
        await register(slate, registered("q-emp", phone="+49 30 1234567", category="employee"))
        await eventually(lambda: opened(api, "q-reg", "q-prob", "q-emp"))
        r = await api.put(
            "/internal/v1/rules/employee",
            json={"accrual_rate": "0", "special_prices": {"TEA": "1.00"}, "special_percent": "50"},
        )
        assert r.status_code == 200, r.text

        regular = await quote(api, card_number="111")
        problem = await quote(api, card_number="222")
        employee = await quote(api, phone="030 1234567")  # any format of the phone
    assert (regular["category"], regular["total"], regular["prepayment_required"]) == (
        "regular", "17.00", False
    )  # fmt: skip
    assert (problem["category"], problem["prepayment_required"]) == ("problem", True)
    assert employee["category"] == "employee"
    assert [(x["sku"], x["unit_price"], x["rule"]) for x in employee["lines"]] == [
        ("TEA", "1.00", "special_price"), ("CUP", "5.00", "special_percent")
    ]  # fmt: skip
    assert employee["total"] == "7.00"
    assert employee["balance"] == "0.00" and employee["max_redeemable"] == "0.00"


async def test_a_quote_for_nobody_or_with_a_bad_basket_is_a_4xx(slate: Slate) -> None:
    async with running(create_app(loyalty_settings(slate))) as api:
        unknown = await api.post("/internal/v1/quote", json={"card_number": "0", "lines": BASKET})
        nameless = await api.post("/internal/v1/quote", json={"lines": BASKET})
        bad = await api.post(
            "/internal/v1/quote",
            json={"card_number": "1", "lines": [{"sku": "A", "quantity": "-1", "unit_price": 1.5}]},
        )
        bad_rule = await api.put("/internal/v1/rules/vip", json={"accrual_rate": "7"})
    assert unknown.status_code == 404 and "card" in unknown.json()["detail"]
    assert nameless.status_code == 422
    assert bad.status_code == 422
    assert bad_rule.status_code == 422
