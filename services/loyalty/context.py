"""What every loyalty handler needs, built once in create_app's lifespan."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from services.loyalty.accounts.repository import AccountRepository
from services.loyalty.config import LoyaltySettings
from services.loyalty.reports.shards import ReportShards
from services.loyalty.rules.model import TierPolicy, parse_tiers
from shared.contracts.pos import PurchaseRecorded
from shared.messaging.broker import dead_letter_sender
from shared.messaging.dead_letters import DeadLetterSender
from shared.service import ServiceRuntime
from shared.store.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from services.loyalty.purchases.planning import Journal


def instance_name() -> str:
    """One per process: replicas on one host (`make run REPLICAS=...`, tests) must not
    take each other's open journals for their own (unit_of_work.py replays its own at once;
    a dead process's journals are replayed by its partitions' next owner)."""
    return f"{socket.gethostname()}:{os.getpid()}"


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


@dataclass
class Loyalty:
    runtime: ServiceRuntime
    settings: LoyaltySettings
    policy: Policy
    _unit_of_work: UnitOfWork | None = None
    _repo: AccountRepository | None = None
    _shards: ReportShards | None = None

    @property
    def repo(self) -> AccountRepository:
        if self._repo is None:  # one per process: it keeps the rules for a few seconds
            self._repo = AccountRepository(self.runtime.db)
        return self._repo

    @property
    def unit_of_work(self) -> UnitOfWork:
        """One per process: its lock serialises every account writer (journal replays
        first); the outbox relay sweeps its open journals."""
        if self._unit_of_work is None:
            self._unit_of_work = UnitOfWork(
                self.runtime.db, self.runtime.outbox, instance_name(), self.owned
            )
        return self._unit_of_work

    async def commit(self, journal: Journal) -> None:
        """One unit of work: the journal's shared report keys pointed at this writer's
        shard (reports/shards.py), then its plan committed (the caller holds the lock)."""
        if journal.empty():
            return
        await self.shards.prepare(journal)
        await self.unit_of_work.commit(journal.plan())

    @property
    def shards(self) -> ReportShards:
        """Which report shard this process writes (reports/shards.py)."""
        if self._shards is None:
            topic = self.runtime.topics(PurchaseRecorded.TOPIC)
            self._shards = ReportShards(self.runtime.db, topic, self.owned)
        return self._shards

    def owned(self) -> set[str]:
        """Every partition any consumer of this process owns now: a journal of a crashed
        batch is replayed before this process writes anything else (unit_of_work.py)."""
        owned: set[str] = set()
        for subscriber in self.runtime.broker.subscribers:
            consumer = getattr(subscriber, "consumer", None)
            if consumer is not None:
                owned |= {f"{tp.topic}:{tp.partition}" for tp in consumer.assignment()}
        return owned

    @property
    def dead_letters(self) -> DeadLetterSender:
        return dead_letter_sender(self.runtime.broker, self.settings.kafka_send_timeout_s)
