"""Two loyalty replicas (two apps on one database, six partitions) count one stream of
purchases and partitionless commands (a birthday run, a manual credit) into the
store, category and employee reports: each report equals a recomputation from the
events (issue 17: shared report documents had several writers)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from services.loyalty.accounts.model import month_of
from services.loyalty.config import LoyaltySettings
from services.loyalty.main import create_app, run_jobs
from shared.contracts import ClientRegistered
from shared.contracts.pos import PurchaseRecorded
from tests.conftest import Slate, running
from tests.reliability import replica_reports as read
from tests.reliability import replica_world as world
from tests.reliability.purchases import send_all
from tests.support.kafka import eventually

PURCHASES, CLIENTS = 600, 40


async def test_two_loyalty_replicas_report_every_purchase_once(slate: Slate) -> None:
    settings = LoyaltySettings(
        **(slate.settings_kwargs("loyalty") | {"topic_partitions": 6}), tiers="bronze:0:1"
    )
    now = datetime.now(UTC)
    month, want = month_of(now), world.expected(PURCHASES, CLIENTS, goodwill=False)
    want.balances[world.client_id(CLIENTS - 1)] += 250  # the manual credit below
    want.categories[world.client_category(CLIENTS - 1)]["bonus_cents"] += 250
    a, b = create_app(settings), create_app(settings)
    async with running(a) as api, running(b) as other:
        topic = slate.topic(ClientRegistered.TOPIC)
        await send_all(slate.infra.kafka, topic, world.registrations(CLIENTS, now.date()))

        async def registered() -> bool:
            rows = (await read.category_report(api, month)).values()
            return sum(row.get("clients", 0) for row in rows) == CLIENTS

        await eventually(registered, timeout_s=60)
        purchases = (world.purchase(n, CLIENTS, "two") for n in range(PURCHASES))
        sending = send_all(slate.infra.kafka, slate.topic(PurchaseRecorded.TOPIC), purchases)
        birthdays = run_jobs(b.state.loyalty, now)  # while the purchases are counted
        await asyncio.gather(sending, birthdays)
        body = {"amount": "2.50", "actor": "ada", "reason": "test", "request_id": "r-1"}
        r = await other.post(
            f"/internal/v1/accounts/{world.client_id(CLIENTS - 1)}/adjustments", json=body
        )
        assert r.status_code == 201, r.text

        async def all_counted() -> bool:
            return await read.purchases_counted(api, month) >= PURCHASES

        await eventually(all_counted, timeout_s=120, interval_s=0.5)
        await asyncio.sleep(1)  # a count past the total would show now
        reports = [
            (await read.category_report(replica, month), await read.store_report(replica, month),
             await read.employee_report(replica, month))
            for replica in (api, other)
        ]  # fmt: skip
        db = a.state.loyalty.store
        balances = await read.balances(db)
    assert reports[0] == reports[1]  # both replicas answer alike
    categories, stores, employees = reports[0]
    assert categories == want.categories
    assert stores == want.stores
    assert employees == want.employees
    assert read.balance_figures(want, balances) == {"exact": CLIENTS, "short": 0, "over": 0}
