"""Finding clients: exact keys by point reads of lookup documents, names by bucket.

A lookup document carries the client's search summary (every write that changes a
summarised field rewrites it, services/registry/identity/repository.py), so a card, phone or
email search is one point read; a lookup written before summaries existed costs a
second read of the client.

A name query reads the one name bucket of its longest part (`name:lov` for
`ada lov`), filters it in memory, sorts by name, and reads only the clients of the
requested page. A merged client is shown only as a pointer to its survivor; an
erased one is never shown.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.registry.bootstrap import Context
from services.registry.identity.handlers import announce_left_over
from services.registry.identity.model import Client, search_summary
from services.registry.search.model import SearchPlan, matches_prefix, plan_search, query_bucket
from services.registry.search.repository import Doc, NameEntry, is_purge, purged_later

# A registration publishes its event within milliseconds of filing its name: an own
# marker still unpublished after this long was left by a failed publish.
OWN_GRACE = timedelta(seconds=10)
# Another replica moves its own documents within seconds: older ones were left by a
# replica that stopped.
ORPHAN_AFTER = timedelta(seconds=60)
# How long a purge note is applied again (see search/repository.py).
PURGE_KEPT = timedelta(seconds=30)


@dataclass
class SearchPage:
    match: str
    total: int
    items: list[dict[str, Any]]


def search_item(client: Client) -> dict[str, Any]:
    return search_summary(client)


async def _read(ctx: Context, ids: list[str]) -> list[Client]:
    found = await asyncio.gather(*(ctx.clients.get(cid) for cid in ids))
    return [c for c in found if c is not None and c.status != "erased"]


async def _by_keys(ctx: Context, plan: SearchPlan) -> list[dict[str, Any]]:
    owners = await asyncio.gather(*(ctx.clients.lookups.find_one({"_id": k}) for k in plan.keys))
    found: dict[str, dict[str, Any] | None] = {}
    for owner in owners:
        if owner and str(owner["client_id"]) not in found:
            found[str(owner["client_id"])] = owner.get("summary")
    unsummarised = [cid for cid, summary in found.items() if summary is None]
    for client in await _read(ctx, unsummarised):
        found[client.id] = search_item(client)
    return [s for s in found.values() if s is not None and s.get("status") != "erased"]


async def _by_name(ctx: Context, name: str, offset: int, limit: int) -> tuple[int, list[Client]]:
    bucket = query_bucket(name)
    if bucket is None:
        return 0, []
    entries = [e for e in await ctx.names.names_in(bucket) if matches_prefix(e.name_norm, name)]
    ranked = sorted(
        {e.client_id: e for e in entries}.values(), key=lambda e: (e.name_norm, e.client_id)
    )
    page = await _read(ctx, [e.client_id for e in ranked[offset : offset + limit]])
    # An entry left behind by a rename (or a crash) no longer matches its client.
    current = [c for c in page if c.status == "merged" or matches_prefix(c.name_norm, name)]
    return len(ranked), current


async def search(ctx: Context, query: str, page: int, page_size: int) -> SearchPage:
    plan = plan_search(query, ctx.default_region)
    offset = (page - 1) * page_size
    if plan.name is not None:
        total, clients = await _by_name(ctx, plan.name, offset, page_size)
    else:
        items = await _by_keys(ctx, plan)
        return SearchPage(plan.kind, len(items), items[offset : offset + page_size])
    return SearchPage(plan.kind, total, [search_item(c) for c in clients])


def _movable(ctx: Context, doc: Doc, now: datetime) -> bool:
    """Entries this process wrote (a marker once its event is out); others' when old."""
    age: timedelta = now - doc["at"]
    if doc.get("writer") != ctx.names.writer:
        return age > ORPHAN_AFTER
    return "event" not in doc or str(doc["_id"]) in ctx.names.announced or age > OWN_GRACE


async def compact_names(ctx: Context) -> int:
    """The names job: move recent name entries into the bucket lists, one append per
    bucket for all of them; publish what a failed registration left unpublished; apply
    purge notes. Returns how many entries it moved."""
    docs = await ctx.names.pending()
    if not docs:
        return 0
    now = ctx.clock()
    purges = [d for d in docs if is_purge(d)]
    moving = [d for d in docs if not is_purge(d) and _movable(ctx, d, now)]
    unpublished = [d for d in moving if "event" in d and d["_id"] not in ctx.names.announced]
    missing = set(await announce_left_over(ctx, unpublished))
    # A marker whose client is not written is dropped unpublished once its writer is
    # surely gone; a younger one may belong to a registration still in flight.
    dropped = {
        d["_id"] for d in unpublished if d["_id"] in missing and now - d["at"] > ORPHAN_AFTER
    }
    moving = [d for d in moving if d["_id"] in dropped or d["_id"] not in missing]
    for note in purges:  # before filing: an entry written after its purge is kept
        await ctx.names.purge([note["entry"]], NameEntry.decode(note["entry"]).name_norm)
    lists: defaultdict[str, list[str]] = defaultdict(list)
    for doc in moving:
        if doc["_id"] not in dropped and not purged_later(doc, purges):
            for bucket in doc["buckets"]:
                lists[bucket].append(doc["entry"])
    await asyncio.gather(*(ctx.index.add(bucket, raws) for bucket, raws in lists.items()))
    old_notes = [d["_id"] for d in purges if now - d["at"] > PURGE_KEPT]
    await ctx.names.forget([*(d["_id"] for d in moving), *old_notes])
    return len(moving)
