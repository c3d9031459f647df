"""Two replicas of a service (two apps on one database) run the same scheduled period:
its effect happens once (one escalation per breach, one birthday bonus)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from services.complaints.main import create_app as complaints_app
from services.complaints.schedule import SlaSchedule
from services.loyalty.main import create_app as loyalty_app
from services.loyalty.main import run_jobs
from shared.contracts.registry import ClientRegistered
from tests.conftest import Slate, running
from tests.integration.complaints.support import complaints_settings, publish
from tests.integration.loyalty.pos import loyalty_settings, register, registered
from tests.support.kafka import eventually, payloads, read_topic


def schedule_of(app: FastAPI, clock: list[datetime]) -> SlaSchedule:
    """The replica's schedule, on its own Context but with the test's clock."""
    context = app.state.context
    return SlaSchedule(lambda: replace(context(), clock=lambda: clock[0]), 60)


async def known(api: httpx.AsyncClient, path: str) -> bool:
    return (await api.get(path)).status_code == 200


async def test_two_complaints_replicas_escalate_each_breach_once(slate: Slate) -> None:
    a, b = complaints_app(complaints_settings(slate)), complaints_app(complaints_settings(slate))
    async with running(a) as api, running(b):
        await publish(slate, ClientRegistered(client_id="c-1", name="Ada", manager_id="M-1"))
        await eventually(lambda: known(api, "/internal/v1/clients/c-1"), timeout_s=10)
        body = {"client_id": "c-1", "channel": "web", "topic": "delivery"}
        cases = [(await api.post("/internal/v1/complaints", json=body)).json() for _ in range(3)]
        due = max(datetime.fromisoformat(c["resolution_due"]) for c in cases)
        clock = [due + timedelta(minutes=1)]
        replicas = [schedule_of(a, clock), schedule_of(b, clock)]
        ran = []
        for _ in range(3):  # three periods, both replicas ticking at once in each
            ran.append(await asyncio.gather(*(r.run_once() for r in replicas * 2)))
            clock[0] += timedelta(seconds=60)
        escalated = await read_topic(
            slate.infra.kafka, slate.topic("complaint.escalated"), expect=7, timeout_s=4
        )
        stored = [(await api.get(f"/internal/v1/complaints/{c['id']}")).json() for c in cases]
    events = list({e["event_id"]: e for e in payloads(escalated)}.values())
    breaches = sorted((e["complaint_id"], e["breach"]) for e in events)
    assert breaches == sorted((c["id"], b) for c in cases for b in ("first_response", "resolution"))
    assert all(sorted(s["breaches"]) == ["first_response", "resolution"] for s in stored)
    assert [sum(tick) for tick in ran] == [1, 1, 1]  # one replica did each period's work


async def balance(api: httpx.AsyncClient, client_id: str) -> str | None:
    r = await api.get(f"/internal/v1/accounts/{client_id}")
    return r.json()["balance"] if r.status_code == 200 else None


async def test_two_loyalty_replicas_credit_one_birthday_bonus_per_client(slate: Slate) -> None:
    a, b = loyalty_app(loyalty_settings(slate)), loyalty_app(loyalty_settings(slate))
    async with running(a) as api, running(b):
        ids = [f"b-{n}" for n in range(5)]
        for client_id in ids:
            await register(slate, registered(client_id, birthday="1990-11-27"))
        for client_id in ids:
            await eventually(lambda c=client_id: balance(api, c), timeout_s=30)  # type: ignore[misc]
        now = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
        replicas = [a.state.loyalty, b.state.loyalty]
        ran = await asyncio.gather(*(run_jobs(r, now) for r in replicas * 2))
        later = await asyncio.gather(*(run_jobs(r, now + timedelta(hours=3)) for r in replicas))

        async def credited() -> bool:  # a credit handed to the account's owner lands later
            return all([await balance(api, c) != "0.00" for c in ids])

        await eventually(credited, timeout_s=30)
        await asyncio.sleep(0.5)  # a second bonus would show now
        balances = [await balance(api, c) for c in ids]
        ledgers = [(await api.get(f"/internal/v1/clients/{c}/ledger")).json() for c in ids]
    assert balances == ["5.00"] * 5
    for ledger in ledgers:
        assert [e["kind"] for e in ledger["entries"]] == ["birthday"]
    jobs = ["birthdays", "churn", "expiry"]
    assert sorted(j for r in ran for j in r) == jobs  # one replica ran each job
    assert sorted(j for r in later for j in r) == jobs  # a later period: again, once
