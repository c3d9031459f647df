"""The profitability report over generated purchases; the test recomputes every figure."""

from __future__ import annotations

import random
from decimal import ROUND_DOWN, Decimal
from typing import Any

import httpx

from services.loyalty.main import create_app
from shared.contracts.complaints import GoodwillGranted
from tests.conftest import Slate, running
from tests.integration.loyalty.pos import (
    loyalty_settings,
    publish_all,
    publish_raw,
    purchase,
    register,
    registered,
)
from tests.support.kafka import eventually

CLIENTS = {"v1": "vip", "v2": "vip", "r1": "regular", "r2": "regular", "r3": "regular"}
RATES = {"vip": Decimal("0.08"), "regular": Decimal("0.05")}


def money(rng: random.Random, most: int) -> str:
    return f"{rng.randint(1, most)}.{rng.randint(0, 99):02d}"


def generate(rng: random.Random) -> list[dict[str, Any]]:
    bodies = []
    for n in range(40):
        client = rng.choice(sorted(CLIENTS))
        lines = [
            (f"S{rng.randint(1, 5)}", str(rng.randint(1, 3)), money(rng, 60), money(rng, 30))
            for _ in range(rng.randint(1, 3))
        ]
        month = rng.choice(["10", "11"])
        bodies.append(
            purchase(f"G{n}", card=f"card-{client}", lines=lines, at=f"2026-{month}-05T10:00:00Z")
        )
    return bodies


def expected(bodies: list[dict[str, Any]], goodwill: Decimal) -> dict[str, dict[str, Decimal]]:
    """Independent arithmetic: revenue, cost, bonus (rate x paid, rounded down per purchase)."""
    out = {c: dict.fromkeys(("revenue", "cost", "bonus", "goodwill"), Decimal(0)) for c in RATES}
    for body in bodies:
        category = CLIENTS[body["client"]["card_number"].removeprefix("card-")]
        total = Decimal(body["total"])
        cost = sum(Decimal(x["quantity"]) * Decimal(x["unit_cost"]) for x in body["lines"])
        out[category]["revenue"] += total
        out[category]["cost"] += cost
        out[category]["bonus"] += (total * RATES[category]).quantize(Decimal("0.01"), ROUND_DOWN)
    out["vip"]["goodwill"] += goodwill
    return out


async def test_category_profitability_matches_an_independent_recomputation(slate: Slate) -> None:
    bodies = generate(random.Random(42))
    grant = GoodwillGranted(
        grant_id="g1", client_id="v1", amount=Decimal("7.50"), currency="EUR", reason="sorry",
        occurred_at="2026-11-06T10:00:00Z",  # type: ignore[arg-type]
    )  # fmt: skip
    # a high tier threshold keeps every multiplier at 1 so the arithmetic stays simple
    settings = loyalty_settings(slate, tiers="base:0:1,high:1000000:2")
    async with running(create_app(settings)) as api:
        for client_id, category in CLIENTS.items():
            await register(
                slate, registered(client_id, card=f"card-{client_id}", category=category)
            )

        async def all_open() -> bool:
            codes = [(await api.get(f"/internal/v1/accounts/{c}")).status_code for c in CLIENTS]
            return codes == [200] * len(CLIENTS)

        await eventually(all_open)
        await publish_all(slate.infra.kafka, slate.topic("purchase.recorded"), bodies)
        await publish_raw(slate, grant.TOPIC, grant.model_dump_json().encode(), "v1")

        async def report() -> Any:
            r = await api.get(
                "/internal/v1/reports/categories", params={"from": "2026-10", "to": "2026-11"}
            )
            body = r.json()
            rows = {row["category"]: row for row in body["categories"]}
            done = sum(rows[c]["purchases"] for c in RATES) == len(bodies)
            return body if done and rows["vip"]["goodwill_cost"] != "0.00" else None

        body = await eventually(report, timeout_s=60)
        employees = (
            await api.get("/internal/v1/reports/employees", params={"month": "2026-11"})
        ).json()
    rows = {row["category"]: row for row in body["categories"]}
    want = expected(bodies, Decimal("7.50"))
    for category, figures in want.items():
        row = rows[category]
        assert Decimal(row["revenue"]) == figures["revenue"], category
        assert Decimal(row["cost_of_goods"]) == figures["cost"], category
        assert Decimal(row["bonus_cost"]) == figures["bonus"], category
        assert Decimal(row["goodwill_cost"]) == figures["goodwill"], category
        margin = figures["revenue"] - figures["cost"] - figures["bonus"] - figures["goodwill"]
        assert Decimal(row["net_margin"]) == margin, category
    per_client = {
        c: want[c]["revenue"] - want[c]["cost"] - want[c]["bonus"] - want[c]["goodwill"]
        for c in RATES
    }
    counts = {"vip": 2, "regular": 3}
    best = max(RATES, key=lambda c: per_client[c] / counts[c])
    assert body["ranking"].index(best) < body["ranking"].index(
        min(RATES, key=lambda c: per_client[c] / counts[c])
    )
    assert rows["vip"]["clients"] == 2 and rows["regular"]["clients"] == 3
    nov = [b for b in bodies if b["occurred_at"].startswith("2026-11")]
    assert sum(Decimal(e["sales"]) for e in employees["employees"]) == sum(
        Decimal(b["total"]) for b in nov
    )


async def test_client_economics_has_a_lifetime_value(slate: Slate) -> None:
    async with running(create_app(loyalty_settings(slate))) as api:
        await register(slate, registered("l1", card="card-l1"))
        await eventually(lambda: _opened(api, "l1"))
        await publish_all(
            slate.infra.kafka, slate.topic("purchase.recorded"), [purchase("L1", card="card-l1")]
        )

        async def report() -> Any:
            body = (
                await api.get("/internal/v1/reports/clients/l1", params={"from": "2026-11"})
            ).json()
            return body if body["lifetime"]["purchases"] == 1 else None

        body = await eventually(report)
    # 2 x 50.00 at cost 20.00, 5% bonus: 100 - 40 - 5
    assert body["clv"] == "55.00" and body["period"]["net_margin"] == "55.00"


async def _opened(api: httpx.AsyncClient, client_id: str) -> bool:
    return (await api.get(f"/internal/v1/accounts/{client_id}")).status_code == 200
