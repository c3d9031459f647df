"""Complaints in the demo: filed by staff through the gateway, worked along the workflow.

Weeks of ordinary cases (back-dated with `received_at`, resolved and closed), a topic
that rises this week (flagged by the trend report), a VIP's complaint (critical,
escalated at once) and a case nobody answers (its SLA breaks at the next check).
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from demo.gateway import Gateway
from demo.world import DemoClient, store_of

RISING_TOPIC = "waiting_time"
TEXTS = {
    "waiting_time": "Waited twenty minutes at the till",
    "product_quality": "The tea was stale",
    "staff_behaviour": "Nobody helped me find the gift boxes",
    "pricing": "The shelf price differed from the receipt",
    "billing": "Charged twice on my card",
    "delivery": "The parcel came a week late",
    "returns": "The refund has not arrived",
}


@dataclass
class CaseFiled:
    case_id: str
    client: DemoClient
    received_at: datetime


def week_start(now: datetime) -> datetime:
    """Monday 00:00 UTC of `now`'s ISO week (complaints counts trends in UTC weeks)."""
    monday = now - timedelta(days=now.weekday())
    return monday.replace(hour=0, minute=0, second=0, microsecond=0)


def case_body(client: DemoClient, topic: str, at: datetime, rng: random.Random) -> dict[str, Any]:
    assert client.client_id is not None
    store = store_of(client.home_store)
    return {
        "client_id": client.client_id,
        "kind": "claim" if topic in ("billing", "returns") else "complaint",
        "channel": rng.choice(("phone", "email", "in_person", "web")),
        "topic": topic,
        "text": TEXTS.get(topic, "Not happy"),
        "employee_id": rng.choice(store.employees) if rng.random() < 0.5 else None,
        "store_id": store.store_id,
        "received_at": at.isoformat(),
    }


def plan_cases(
    clients: list[DemoClient], topics: list[str], start: datetime, now: datetime, seed: int
) -> list[tuple[DemoClient, str, datetime]]:
    """(client, topic, received at): a steady trickle before this week, a rising topic in it."""
    rng = random.Random(f"complaints:{seed}")
    ordinary = [t for t in topics if t not in (RISING_TOPIC, "service_quality")] or topics
    rising = RISING_TOPIC if RISING_TOPIC in topics else ordinary[0]
    this_week = max(week_start(now), start)
    plans: list[tuple[DemoClient, str, datetime]] = []
    per_day = max(len(clients) / 250, 0.3)
    day = start
    while day < this_week:
        for _ in range(int(per_day) + (rng.random() < per_day % 1)):
            topic = rising if rng.random() < 0.1 else rng.choice(ordinary)
            plans.append((rng.choice(clients), topic, day + timedelta(hours=rng.uniform(8, 18))))
        day += timedelta(days=1)
    span = max((now - this_week).total_seconds() - 120, 60)
    for n in range(8):
        topic = rising if n < 6 else rng.choice(ordinary)
        at = this_week + timedelta(seconds=rng.uniform(0, span))
        plans.append((rng.choice(clients), topic, min(at, now - timedelta(minutes=1))))
    return plans


async def work(gw: Gateway, case_id: str, steps: list[tuple[str, dict[str, Any]]]) -> None:
    for status, extra in steps:
        await gw.json(
            "POST", f"/api/v1/complaints/{case_id}/status", json={"status": status, **extra}
        )


async def file_and_work(
    gw: Gateway, client: DemoClient, topic: str, at: datetime, now: datetime, seed: int
) -> str:
    """File one case; cases older than two days are resolved and closed, newer ones
    are in progress or still new."""
    rng = random.Random(f"case:{seed}:{client.index}:{at.isoformat()}")
    case = await gw.json(
        "POST", "/api/v1/complaints", ok=(201,), json=case_body(client, topic, at, rng)
    )
    age = now - at
    founded = rng.random() < 0.6
    if age > timedelta(days=2):
        await work(
            gw,
            case["id"],
            [
                ("in_progress", {"comment": "called the client"}),
                ("resolved", {"founded": founded, "comment": "sorted out"}),
                ("closed", {}),
            ],
        )
    elif rng.random() < 0.5:
        await work(gw, case["id"], [("in_progress", {"comment": "looking into it"})])
    return str(case["id"])


async def run_complaints(
    gw: Gateway, clients: list[DemoClient], start: datetime, now: datetime, seed: int
) -> dict[str, int]:
    topics = (await gw.json("GET", "/api/v1/complaints/topics"))["topics"]
    registered = [c for c in clients if c.client_id and c.category != "vip"]
    plans = plan_cases(registered, topics, start, now, seed)
    await asyncio.gather(*(file_and_work(gw, c, t, at, now, seed) for c, t, at in plans))
    counts = {"filed": len(plans), "vip_escalated": 0, "left_for_sla_breach": 0}
    vip = next((c for c in clients if c.client_id and c.category == "vip"), None)
    if vip is not None:  # a valuable client's complaint is critical and escalates at once
        rng = random.Random(f"vip:{seed}")
        case = await gw.json(
            "POST", "/api/v1/complaints", ok=(201,),
            json=case_body(vip, "product_quality", now, rng),
        )  # fmt: skip
        await work(gw, case["id"], [("in_progress", {"comment": "manager called back"})])
        counts["vip_escalated"] = int(bool(case.get("escalations")))
    if registered:  # nobody answers this one: its first-response deadline passes
        late = now - timedelta(days=2)
        rng = random.Random(f"late:{seed}")
        body = case_body(
            registered[-1], "delivery" if "delivery" in topics else topics[0], late, rng
        )
        await gw.json("POST", "/api/v1/complaints", ok=(201,), json=body)
        counts["left_for_sla_breach"] = 1
    return counts
