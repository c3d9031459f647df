"""Loyalty's one Context: settings, policy, store, publisher, outbox, repository, unit
of work, report shards and clock, built once at start by `bootstrap` (as every
service's is).

Handlers take it as their first argument (named `loyalty`); the handler table and the
jobs read it from the app's `ContextSlot`, routes from `app.state.loyalty`.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from faststream.kafka import KafkaBroker

from services.loyalty.accounts.owner import AccountOwners
from services.loyalty.accounts.repository import AccountRepository
from services.loyalty.config import LoyaltySettings
from services.loyalty.purchases.planning import legacy_steps
from services.loyalty.reports.shards import ReportShards
from services.loyalty.rules.model import TierPolicy, parse_tiers
from shared.context import Clock, ServiceContext, utc_now
from shared.contracts.pos import PurchaseRecorded
from shared.service import ServiceRuntime
from shared.store.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from services.loyalty.purchases.planning import Journal


def instance_name() -> str:
    """One per unit of work: replicas on one host (`make run REPLICAS=...`), or two apps
    in one test process, must not take each other's open journals for their own
    (unit_of_work.py replays its own at once, even while the other is applying it: two
    apps sharing a pid counted one batch twice in CI); a dead process's journals are
    replayed by its partitions' next owner."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid4().hex[:8]}"


@dataclass(frozen=True)
class Policy:
    """The settings the rules read, parsed once."""

    currency: str
    tiers: TierPolicy
    max_share: Decimal
    weights: dict[str, Decimal]
    region: str
    expiry_months: int
    churn_factor: Decimal

    @classmethod
    def from_settings(cls, settings: LoyaltySettings) -> Policy:
        weights = {
            str(k): Decimal(str(v)) for k, v in json.loads(settings.employee_weights).items()
        }
        return cls(
            currency=settings.currency,
            tiers=TierPolicy(parse_tiers(settings.tiers)),
            max_share=settings.redeem_max_share,
            weights=weights,
            region=settings.default_region,
            expiry_months=settings.expiry_months,
            churn_factor=settings.churn_factor,
        )


@dataclass(frozen=True)
class Context(ServiceContext[LoyaltySettings]):
    """Everything a loyalty handler, job or route works with, built once at start."""

    policy: Policy
    repo: AccountRepository  # one per process: it keeps the rules for a few seconds
    # One per process: its lock serialises every account writer (journal replays
    # first); the outbox relay sweeps its open journals.
    unit_of_work: UnitOfWork
    shards: ReportShards  # which report shard this process writes (reports/shards.py)
    owned: Callable[[], set[str]]  # the partitions this process consumes now
    owners: AccountOwners  # whether this process may write an account (accounts/owner.py)

    async def commit(self, journal: Journal, once: str | None = None) -> bool:
        """One unit of work: the journal's shared report keys pointed at this writer's
        shard, then its plan committed (the caller holds the unit of work's lock).
        `once`: the receipt id that makes it happen once across replicas (its journal
        is `journal:<receipt>`; False when another process applies or applied it)."""
        if journal.empty():
            return False
        await self.shards.prepare(journal)
        plan = journal.plan()
        if once is None:
            return await self.unit_of_work.commit(plan)
        plan.id = f"journal:{once}"

        async def done() -> bool:
            return bool(await self.repo.receipts([once]))

        return await self.unit_of_work.commit(plan, done)


def consumers(broker: KafkaBroker) -> Iterator[Any]:
    """The aiokafka consumers of this process's subscribers that have started."""
    for subscriber in broker.subscribers:
        consumer = getattr(subscriber, "consumer", None)
        if consumer is not None:
            yield consumer


def owned_partitions(broker: KafkaBroker) -> Callable[[], set[str]]:
    """Every partition any consumer of this process owns now: a journal of a crashed
    batch is replayed before this process writes anything else (unit_of_work.py)."""

    def owned() -> set[str]:
        found: set[str] = set()
        for consumer in consumers(broker):
            found |= {f"{tp.topic}:{tp.partition}" for tp in consumer.assignment()}
        return found

    return owned


def partition_count(broker: KafkaBroker, topic: str) -> Callable[[], int | None]:
    """The partitions of `topic` as this process's consumers know them (None before the
    first metadata)."""

    def count() -> int | None:
        parts = (consumer.partitions_for_topic(topic) for consumer in consumers(broker))
        return next((len(p) for p in parts if p), None)

    return count


def bootstrap(
    settings: LoyaltySettings,
    runtime: ServiceRuntime,
    clock: Clock = utc_now,
) -> Context:
    """The service's Context over the store `runtime` opened (build_app's on_start)."""
    db, outbox = runtime.db, runtime.outbox
    owned = owned_partitions(runtime.broker)
    purchases = runtime.topics(PurchaseRecorded.TOPIC)
    count = partition_count(runtime.broker, purchases)
    return Context(
        settings=settings,
        policy=Policy.from_settings(settings),
        store=db,
        publisher=runtime.publisher,
        outbox=outbox,
        repo=AccountRepository(db),
        unit_of_work=UnitOfWork(db, outbox, instance_name(), owned, legacy_steps),
        shards=ReportShards(db, purchases, owned),
        owned=owned,
        owners=AccountOwners(purchases, owned, count, runtime.publisher),
        clock=clock,
    )
