"""Report documents shared by many writers, split into one shard per writer (issue 17).

A store's, a category's or an employee's monthly document is written by every
consumer of loyalty: FerretDB does not make concurrent `$inc`s on one document atomic,
and a journal's `_last_applied` names only the last journal that wrote a document, so
with several replicas one shared document could lose an increment, or count one twice
when a crashed journal is replayed after another writer's write. So each writer has a
shard of its own, `store:S1:2026-11@p3`, and the report API sums the shards.

A journal's shard is the lowest `purchase.recorded` partition it covers: a purchase
batch's own, or for any other journal (returns, credits on registration, goodwill,
adjustments, birthdays, expiry) the lowest one this process owns now, which the journal
then lists as its partition. Kafka gives a partition one consumer, so a shard has one
writer; the journal lists that partition, so whoever owns it next replays the journal
before writing the shard (shared/store/unit_of_work.py). A process that owns no
purchase partition (more replicas than partitions, or not yet assigned) writes a
shard of its own, `x<random>`.
Every shard is named once in `report_shards`, which the report API reads whole; a
key is read as its unsplit document (written before the shards) plus one point read
per shard. Reports per client (`client:<id>...`) are written by whoever writes the
client's account, as the account is, and are not split.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.messaging.idempotency import LAST_APPLIED
from shared.store.point_reads import find_by_ids

if TYPE_CHECKING:
    from services.loyalty.purchases.planning import Journal

SHARDS = "report_shards"
# Reports every consumer adds to, their indexes, and two client indexes (`lookups`:
# clients per category, clients per birthday; clients/repository.py).
SHARED_PREFIXES = (
    "category:", "store:", "employee:", "stores:", "employees:", "clients:", "birthday:",
)  # fmt: skip
SEPARATOR = "@"


def is_shared(key: str) -> bool:
    """Report keys every consumer writes (not a client's own, `client:<id>...`)."""
    return key.startswith(SHARED_PREFIXES)


def sharded(key: str, shard: str) -> str:
    return f"{key}{SEPARATOR}{shard}" if is_shared(key) else key


def partition_numbers(partitions: Iterable[str], topic: str) -> list[int]:
    """`<topic>:<n>` strings -> the partition numbers of `topic`."""
    found = []
    for p in partitions:
        name, _, number = p.rpartition(":")
        if name == topic and number.isdigit():
            found.append(int(number))
    return sorted(found)


class ReportShards:
    """Which shard this process's journals write, and the names of all shards."""

    def __init__(
        self, db: AsyncDatabase[dict[str, Any]], topic: str, owned: Callable[[], set[str]]
    ) -> None:
        self.db, self.topic, self.owned = db, topic, owned
        self.own = f"x{uuid4().hex[:12]}"  # for a process owning no purchase partition
        self.named: set[str] = set()

    def choose(self, partitions: list[str]) -> tuple[str, list[str]]:
        """(the shard, the partitions the journal lists) for a journal covering
        `partitions` (none: a journal of anything but a purchase batch)."""
        numbers = partition_numbers(partitions or self.owned(), self.topic)
        if not numbers:
            return self.own, partitions
        return f"p{numbers[0]}", partitions or [f"{self.topic}:{numbers[0]}"]

    async def name(self, shard: str) -> None:
        """Record the shard in `report_shards` (once per process: an insert)."""
        if shard in self.named:
            return
        with contextlib.suppress(DuplicateKeyError):
            await self.db[SHARDS].insert_one({"_id": shard})
        self.named.add(shard)

    async def current(self) -> str:
        """The shard a write outside a journal goes to (the caller holds the lock)."""
        shard = self.choose([])[0]
        await self.name(shard)
        return shard

    async def prepare(self, journal: Journal) -> None:
        """Point the journal's shared report keys at this writer's shard, and name its
        partition, before the journal is stored (a replay then writes the same shard,
        and the partition's next owner replays it before writing there itself)."""
        if not any(map(is_shared, (*journal.reports, *(k for k, _ in journal.indexes)))):
            return
        shard, journal.partitions = self.choose(journal.partitions)
        journal.reports = {sharded(k, shard): v for k, v in journal.reports.items()}
        journal.indexes = {(sharded(k, shard), m) for k, m in journal.indexes}
        await self.name(shard)


async def all_shards(db: AsyncDatabase[dict[str, Any]]) -> list[str]:
    """Every shard ever written (a small collection: one per partition, and one per
    process that wrote while it owned no purchase partition)."""
    return sorted([d["_id"] async for d in db[SHARDS].find({}, {"_id": 1})])


def add(total: dict[str, Any], doc: Mapping[str, Any]) -> None:
    """Add one shard into the sum: numbers added, sets (`members`, `client_ids`) united."""
    for field, value in doc.items():
        if field in ("_id", LAST_APPLIED):
            continue
        if isinstance(value, list):
            total[field] = sorted({*total.get(field, ()), *value})
        elif isinstance(value, int) and not isinstance(value, bool):
            total[field] = total.get(field, 0) + value


async def summed(
    db: AsyncDatabase[dict[str, Any]], collection: str, keys: Iterable[str], shards: list[str]
) -> dict[str, dict[str, Any]]:
    """Each key's document summed over its shards, and over the unsplit document a
    version before the shards wrote; a key nothing was written to is left out.
    Concurrent point reads, never `$in` (FerretDB would scan)."""
    wanted: list[tuple[str, str]] = []
    for key in keys:
        wanted.append((key, key))
        if is_shared(key):
            wanted += [(key, sharded(key, s)) for s in shards]
    docs = await find_by_ids(db[collection], [i for _, i in wanted])
    totals: dict[str, dict[str, Any]] = {}
    for (key, _), doc in zip(wanted, docs, strict=True):
        if doc is not None:
            add(totals.setdefault(key, {"_id": key}), doc)
    return totals
