"""`clientele demo`: a shop chain's last weeks, driven through the product's real doors.

Staff register clients through the gateway, tills publish purchases and returns to
Kafka (back-dated `occurred_at`), clients answer their survey SMS through the signed
webhook, staff file and work complaints. The demo reads nothing but the gateway's API
(it imports no service repository and no database driver), and ends when every
report has data.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from demo.complaints import run_complaints
from demo.gateway import Gateway
from demo.kafka import PosPublisher
from demo.pos import anonymous_trade, client_trade
from demo.reports import months_of, wait_for_reports
from demo.surveys import answer_surveys
from demo.world import DemoClient, make_clients
from shared.contracts.pos import PurchaseReturned

Say = Callable[[str], None]
GROUP = 25  # clients registered at once before their group's visits are published


@dataclass(frozen=True)
class DemoPlan:
    gateway: str
    kafka: str
    topic_prefix: str
    days: int
    clients: int
    seed: int
    username: str
    password: str
    webhook_secret: str
    survey_wait_s: float = 600.0
    only_if_empty: bool = False


async def register(gw: Gateway, client: DemoClient) -> None:
    created = await gw.register(client.registration())
    client.client_id, client.card_number = created["id"], created.get("card_number")


@dataclass
class Trade:
    sales: int = 0
    # Held back until loyalty has booked the purchases: the two topics have no order
    # between them, and loyalty parks a return of a purchase it has not seen.
    returns: list[PurchaseReturned] = field(default_factory=list)


async def trade_of(
    pos: PosPublisher, clients: list[DemoClient], plan: DemoPlan, now: datetime, trade: Trade
) -> None:
    """Publish these clients' visits; keep their returns for later."""
    for client in clients:
        for event in client_trade(client, plan.days, now, plan.seed):
            if isinstance(event, PurchaseReturned):
                trade.returns.append(event)
                continue
            await pos.send(event)
            trade.sales += 1


async def publish_returns(plan: DemoPlan, returns: list[PurchaseReturned], say: Say) -> None:
    async with PosPublisher(plan.kafka, plan.topic_prefix) as pos:
        for event in returns:
            await pos.send(event)
    say(f"tills published {pos.sent} returns ({len(pos.errors)} failed)")


async def register_and_trade(
    plan: DemoPlan, gw: Gateway, clients: list[DemoClient], now: datetime, say: Say
) -> Trade:
    """Register clients in groups through the gateway; the tills publish a group's visits
    once the next group is registered (so consumers mostly know the client first) while
    the services are busy with the registrations. Returns the purchases published."""
    async with PosPublisher(plan.kafka, plan.topic_prefix) as pos:
        trade, previous = Trade(), list[DemoClient]()
        for n in range(0, len(clients), GROUP):
            group = clients[n : n + GROUP]
            await asyncio.gather(*(register(gw, c) for c in group))
            await trade_of(pos, previous, plan, now, trade)
            previous = group
            done = f"{n + len(group)}/{len(clients)}"
            say(f"registered {done} clients, {trade.sales} purchases published")
        await trade_of(pos, previous, plan, now, trade)
        for event in anonymous_trade(plan.days, now, plan.seed):
            await pos.send(event)
            trade.sales += 1
    if pos.errors:
        say(f"{len(pos.errors)} POS event(s) failed, first: {pos.errors[0]}")
    say(f"tills published {trade.sales} purchases (a few anonymous) to Kafka")
    return trade


async def until(check: Callable[[], Any], what: str, timeout_s: float, say: Say) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        found = await check()
        if found:
            return found
        if time.monotonic() > deadline:
            say(f"gave up waiting for {what} after {timeout_s:.0f} s")
            return None
        await asyncio.sleep(1)


async def booked_purchases(gw: Gateway, first: datetime, now: datetime) -> int:
    params = {"from": f"{first:%Y-%m}", "to": f"{now:%Y-%m}"}
    report = await gw.json("GET", "/api/v1/reports/categories", params=params)
    return sum(int(row.get("purchases", 0)) for row in report.get("categories", []))


async def complaints_desk(
    gw: Gateway, clients: list[DemoClient], start: datetime, now: datetime, seed: int, say: Say
) -> dict[str, int]:
    cases = await run_complaints(gw, clients, start, now, seed)
    say(f"staff filed {cases['filed'] + 2} complaints (a VIP's escalated, one left unanswered)")
    return cases


async def already_there(gw: Gateway, clients: list[DemoClient]) -> bool:
    return bool(clients) and bool(await gw.search(clients[0].phone))


async def run_demo(plan: DemoPlan, say: Say) -> dict[str, Any]:
    now = datetime.now(UTC)
    start = now - timedelta(days=plan.days)
    clients = make_clients(plan.seed, plan.clients)
    async with Gateway(plan.gateway) as gw:
        await gw.login(plan.username, plan.password)
        if plan.only_if_empty and await already_there(gw, clients):
            say("demo data is there already (its first client is registered): skipped")
            return {"skipped": True}
        trade = await register_and_trade(plan, gw, clients, now, say)
        booked = await until(
            lambda: _at_least(booked_purchases(gw, start, now), trade.sales), "bookings", 180, say
        )
        say(f"loyalty booked {booked or 'not all'} purchases")
        await publish_returns(plan, trade.returns, say)
        # Staff work complaints while the survey SMS go out.
        cases, answers = await asyncio.gather(
            complaints_desk(gw, clients, start, now, plan.seed, say),
            answer_surveys(gw, clients, plan.webhook_secret, plan.seed, plan.survey_wait_s),
        )
        say(f"clients answered {answers['answered']} surveys ({dict(answers)})")
        reports = await wait_for_reports(gw, say, months_of(start, now))
    return {
        "clients": len(clients),
        "purchases": trade.sales,
        "returns": len(trade.returns),
        "complaints": cases,
        "reports": reports,
    }


async def _at_least(count: Any, wanted: int) -> int | None:
    found = int(await count)
    return found if found >= wanted else None
