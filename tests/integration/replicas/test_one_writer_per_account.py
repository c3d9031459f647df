"""Two loyalty replicas (two apps on one database, six partitions): credits from
anywhere (manual adjustments through either replica, birthday runs on both at once)
race a stream of purchases of the same clients. Each account has one writer, the
replica consuming its purchases' partition; the other hands its credits on
(`account_change.requested`). Every ledger is then whole: entries 1..N without a gap
or a lost line, their sum the balance, the balance what the events say (issue 17: a
credit and a purchase batch planned at one moment on two replicas both wrote ledger
entry N+1, and one was lost)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import UTC, datetime

import httpx
from pymongo.asynchronous.database import AsyncDatabase

from services.loyalty.accounts.handlers import set_fields, track_complaint
from services.loyalty.accounts.model import ledger_id
from services.loyalty.accounts.owner import HOME
from services.loyalty.bonus.handlers import expire_account, run_birthdays
from services.loyalty.config import LoyaltySettings
from services.loyalty.main import create_app
from services.loyalty.returns.handlers import record_return
from shared.contracts import ClientRegistered
from shared.contracts.loyalty import AccountChangeRequested
from shared.contracts.pos import PurchaseRecorded, PurchaseReturned
from tests.conftest import Slate, running
from tests.integration.loyalty.pos import balance, publish_all, purchase, register, registered
from tests.reliability import replica_reports as read
from tests.reliability import replica_world as world
from tests.reliability.purchases import send_all
from tests.support.kafka import eventually, read_topic

CLIENTS, PURCHASES, ADJUSTMENTS = 12, 1200, 3  # few clients: many writes of each


async def adjust_all(replicas: list[httpx.AsyncClient]) -> list[int]:
    """Three credits of 1.00 per client, through alternating replicas, while purchases
    are being counted."""
    statuses = []
    for round_ in range(ADJUSTMENTS):
        for n in range(CLIENTS):
            body = {"amount": "1.00", "actor": "ada", "reason": "race",
                    "request_id": f"r-{round_}-{n}"}  # fmt: skip
            api = replicas[(n + round_) % 2]
            url = f"/internal/v1/accounts/{world.client_id(n)}/adjustments"
            statuses.append((await api.post(url, json=body)).status_code)
        await asyncio.sleep(0.2)
    return statuses


async def ledger_of(db: AsyncDatabase, client_id: str) -> tuple[dict, list[dict]]:  # type: ignore[type-arg]
    account = await db["accounts"].find_one({"_id": client_id})
    assert account is not None
    entries = await db["ledger"].find({"client_id": client_id}).to_list(None)
    return account, sorted(entries, key=lambda e: e["seq"])


async def test_credits_racing_purchases_on_two_replicas_lose_no_ledger_entry(
    slate: Slate,
) -> None:
    settings = LoyaltySettings(
        **(slate.settings_kwargs("loyalty") | {"topic_partitions": 6}), tiers="bronze:0:1"
    )
    today = datetime.now(UTC).date()
    want = world.expected(PURCHASES, CLIENTS, goodwill=False).balances
    for n in range(CLIENTS):
        want[world.client_id(n)] += ADJUSTMENTS * 100
    a, b = create_app(settings), create_app(settings)
    async with running(a) as api, running(b) as other:
        topic = slate.topic(ClientRegistered.TOPIC)
        await send_all(slate.infra.kafka, topic, world.registrations(CLIENTS, today))
        db = a.state.loyalty.store

        async def opened() -> bool:
            return len(await read.balances(db)) == CLIENTS

        await eventually(opened, timeout_s=60)
        # Each client's first purchase sets its account's home (an account without one
        # is homed by its card or phone, these clients' purchases name their id).
        first = (world.purchase(n, CLIENTS, "own") for n in range(CLIENTS))
        await send_all(slate.infra.kafka, slate.topic(PurchaseRecorded.TOPIC), first)

        async def homed() -> bool:
            return await db["accounts"].count_documents({"home_partition": {"$gte": 0}}) == CLIENTS

        await eventually(homed, timeout_s=60)
        purchases = (world.purchase(n, CLIENTS, "own") for n in range(CLIENTS, PURCHASES))
        sending = send_all(slate.infra.kafka, slate.topic(PurchaseRecorded.TOPIC), purchases)
        birthdays = [run_birthdays(r.state.loyalty, today) for r in (a, b)]
        _, statuses, *_ = await asyncio.gather(sending, adjust_all([api, other]), *birthdays)

        async def exact() -> bool:
            return await read.balances(db) == want

        await eventually(exact, timeout_s=120, interval_s=0.5)
        await asyncio.sleep(1)  # a late duplicate would show now
        ledgers = {
            world.client_id(n): await ledger_of(db, world.client_id(n)) for n in range(CLIENTS)
        }
        handed = await read_topic(
            slate.infra.kafka, slate.topic(AccountChangeRequested.TOPIC), expect=1, timeout_s=5
        )
    assert set(statuses) == {201}
    for client, (account, entries) in ledgers.items():
        seqs = [e["seq"] for e in entries]
        assert seqs == list(range(1, len(entries) + 1)), client  # no gap, no duplicate
        assert account["ledger_seq"] == len(entries), client
        assert [e["_id"] for e in entries] == [ledger_id(client, s) for s in seqs]
        assert sum(e["amount_cents"] for e in entries) == account["balance_cents"], client
        kinds = Counter(e["kind"] for e in entries)
        assert kinds["adjustment"] == ADJUSTMENTS, client
        assert kinds["birthday"] == int(world.has_birthday(int(client.removeprefix("c")))), client
        assert len(entries) == PURCHASES // CLIENTS + ADJUSTMENTS + kinds["birthday"], client
    assert handed  # the replicas did hand credits to each other


async def test_every_kind_of_change_from_another_replica_is_applied_by_the_owner(
    slate: Slate,
) -> None:
    """An expiry, a return, changed fields and an open complaint that reach the replica
    not owning the account are handed on, and the owner applies each once."""
    settings = LoyaltySettings(
        **(slate.settings_kwargs("loyalty") | {"topic_partitions": 6}), tiers="bronze:0:1"
    )
    a, b = create_app(settings), create_app(settings)
    async with running(a) as api, running(b):
        await register(slate, registered("k-1", card="4000000000000017"))
        await eventually(lambda: balance(api, "k-1"), timeout_s=30)
        bought = purchase("kp-1", card="4000000000000017", at="2025-01-10T10:00:00Z")
        await publish_all(slate.infra.kafka, slate.topic(PurchaseRecorded.TOPIC), [bought])
        db, replicas = a.state.loyalty.store, [a.state.loyalty, b.state.loyalty]

        async def settled() -> bool:  # counted, and exactly one replica owns it
            doc = await db["accounts"].find_one({"_id": "k-1"})
            return bool(doc and HOME in doc and sum(r.owners.owns(doc) for r in replicas) == 1)

        await eventually(settled, timeout_s=60)
        doc = await db["accounts"].find_one({"_id": "k-1"})
        assert doc is not None
        other = next(r for r in replicas if not r.owners.owns(doc))
        assert await expire_account(other, "k-1", datetime(2026, 6, 1, tzinfo=UTC))
        returned = PurchaseReturned(
            return_id="kr-1", purchase_id="kp-1", lines=[{"sku": "A1", "quantity": "1"}]
        )
        await record_return(other, returned, other.owned())
        assert await set_fields(other, "k-1", {"birthday": "1990-05-04"})
        await track_complaint(other, "k-1", "K-9", True)

        async def applied() -> dict | None:  # type: ignore[type-arg]
            doc = await db["accounts"].find_one({"_id": "k-1"})
            done = doc and doc.get("open_complaints") == ["K-9"] and doc.get("birthday")
            receipts = await db["receipts"].count_documents(
                {"_id": {"$in": ["return:kr-1", "expiry:k-1:2026-06"]}}
            )
            return doc if done and receipts == 2 else None

        account = await eventually(applied, timeout_s=30)
        _, entries = await ledger_of(db, "k-1")
        handed = await read_topic(
            slate.infra.kafka, slate.topic(AccountChangeRequested.TOPIC), expect=4, timeout_s=5
        )
    changes = sorted(json.loads(r.value)["change"] for r in handed)
    assert changes == ["complaint", "expiry", "fields", "return"]
    # The accrual (5 % of 100.00), all of it expired (the return came after).
    assert [(e["kind"], e["amount_cents"]) for e in entries][:2] == [
        ("accrual", 500), ("expiry", -500)
    ]  # fmt: skip
    assert account["birthday"] == "1990-05-04"
    assert sum(e["amount_cents"] for e in entries) == account["balance_cents"]
