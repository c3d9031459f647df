"""What the replica test reads back: reports through loyalty's API (summed over its
shards by the service, as staff see them), balances, SMS and escalations, in cents."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import httpx
from pymongo.asynchronous.database import AsyncDatabase

from tests.reliability.replica_world import Expected


def cents(amount: str) -> int:
    return int(Decimal(amount) * 100)


async def category_report(api: httpx.AsyncClient, month: str) -> dict[str, dict[str, int]]:
    r = await api.get("/internal/v1/reports/categories", params={"from": month, "to": month})
    r.raise_for_status()
    rows = {
        row["category"]: {
            "clients": row["clients"],
            "revenue_cents": cents(row["revenue"]),
            "cost_cents": cents(row["cost_of_goods"]),
            "bonus_cents": cents(row["bonus_cost"]),
            "goodwill_cents": cents(row["goodwill_cost"]),
            "purchases": row["purchases"],
        }
        for row in r.json()["categories"]
    }
    return {
        name: {k: v for k, v in row.items() if v} for name, row in rows.items() if any(row.values())
    }


async def store_report(api: httpx.AsyncClient, month: str) -> dict[str, dict[str, int]]:
    r = await api.get("/internal/v1/reports/stores", params={"month": month})
    r.raise_for_status()
    return {
        row["store_id"]: {
            "revenue_cents": cents(row["revenue"]),
            "cost_cents": cents(row["cost_of_goods"]),
            "purchases": row["purchases"],
        }
        for row in r.json()["stores"]
    }


async def employee_report(api: httpx.AsyncClient, month: str) -> dict[str, dict[str, int]]:
    r = await api.get("/internal/v1/reports/employees", params={"month": month})
    r.raise_for_status()
    return {
        row["employee_id"]: {
            "sales_cents": cents(row["sales"]),
            "weighted_cents": cents(row["weighted_sales"]),
            "purchases": row["purchases"],
        }
        for row in r.json()["employees"]
    }


async def purchases_counted(api: httpx.AsyncClient, month: str) -> int:
    """Purchases in the category report (through a replica that is never killed)."""
    try:
        rows = (await category_report(api, month)).values()
        return sum(row.get("purchases", 0) for row in rows)
    except httpx.HTTPError:
        return 0


async def balances(db: AsyncDatabase[dict[str, Any]]) -> dict[str, int]:
    return {
        doc["_id"]: int(doc.get("balance_cents", 0))
        async for doc in db.accounts.find({}, {"balance_cents": 1})
    }


def balance_figures(want: Expected, actual: dict[str, int]) -> dict[str, int]:
    """Counts of exact, short (lost) and over (doubled) balances."""
    return {
        "exact": sum(actual.get(c, 0) == v for c, v in want.balances.items()),
        "short": sum(actual.get(c, 0) < v for c, v in want.balances.items()),
        "over": sum(actual.get(c, 0) > v for c, v in want.balances.items()),
    }


async def birthday_entries(db: AsyncDatabase[dict[str, Any]]) -> Counter[str]:
    return Counter([d["client_id"] async for d in db.ledger.find({"kind": "birthday"})])


def escalations(events: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    """Breaches escalated, once per event (a relay may publish one event twice)."""
    unique = {e["event_id"]: e for e in events}.values()
    return Counter((e["complaint_id"], e["breach"]) for e in unique)
