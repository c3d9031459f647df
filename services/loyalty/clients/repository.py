"""What loyalty indexes about its clients, beside their accounts, in `lookups`.

- `card:<n>`, `phone:<e164>` -> client id: how a purchase finds its client;
- `birthday:<MM-DD>@<shard>`: the clients born that day (the daily bonus run);
- `clients:<category>@<shard>`: how many clients a category has (net margin per client).

The last two are sets and counts every consumer of `client.*` adds to: like the shared
report documents they are split per writer (reports/shards.py) and united or summed
when read. A registration writes all of them in one bulk write (issue 15).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from services.loyalty.accounts.repository import LOOKUPS, REPORTS, UNMATCHED
from services.loyalty.reports.shards import all_shards, sharded, summed


def count_key(category: str) -> str:
    return f"clients:{category}"


class ClientIndexes:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.db = db

    async def waiting_under(self, keys: Sequence[str]) -> bool:
        """Whether a purchase waits under any of these keys (`unmatched`), as ONE command:
        updates by `_id` that change nothing (`$setOnInsert` without upsert) but each
        say whether their document exists. Usually none does."""
        ops = [UpdateOne({"_id": k}, {"$setOnInsert": {"probe": 1}}) for k in keys]
        result = await self.db[UNMATCHED].bulk_write(ops, ordered=False)
        return result.matched_count > 0

    async def index(
        self,
        client_id: str,
        keys: Iterable[str],
        birthday: str | None,
        counted: dict[str, int],
        shard: str,
    ) -> None:
        """One bulk write: the card and phone lookups (`keys`), the birthday index and
        the category counts (`counted`: category -> clients added), in `shard`."""
        ops = [UpdateOne({"_id": k}, {"$set": {"client_id": client_id}}, upsert=True) for k in keys]
        if birthday:
            day = sharded(f"birthday:{birthday[5:10]}", shard)
            ops.append(
                UpdateOne({"_id": day}, {"$addToSet": {"client_ids": client_id}}, upsert=True)
            )
        ops += [
            UpdateOne({"_id": sharded(count_key(c), shard)}, {"$inc": {"clients": n}}, upsert=True)
            for c, n in counted.items()
            if n
        ]
        if ops:
            await self.db[LOOKUPS].bulk_write(ops, ordered=False)

    async def birthday_clients(self, month_day: str) -> list[str]:
        key = f"birthday:{month_day}"
        found = await summed(self.db, LOOKUPS, [key], await all_shards(self.db))
        return list(found.get(key, {}).get("client_ids", ()))

    async def client_counts(self, categories: Iterable[str]) -> dict[str, int]:
        """Clients per category (and what a version before the shards counted in
        `reports/category:<name>`)."""
        names, shards = list(categories), await all_shards(self.db)
        counts = await summed(self.db, LOOKUPS, map(count_key, names), shards)
        before = await summed(self.db, REPORTS, (f"category:{n}" for n in names), [])
        return {
            n: int(counts.get(count_key(n), {}).get("clients", 0))
            + int(before.get(f"category:{n}", {}).get("clients", 0))
            for n in names
        }
