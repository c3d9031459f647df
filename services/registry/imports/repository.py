"""The store side of one import batch: claim keys, file lists, write, announce.

Every step is a bulk write or a set of concurrent point writes; no step scans.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

from pymongo import DeleteOne

from services.registry.bootstrap import Context
from services.registry.cards.model import Card
from services.registry.identity.handlers import name_entry, registered_event
from services.registry.identity.model import Client, DuplicateClient, search_summary
from services.registry.identity.repository import CLIENTS, insert_all
from services.registry.search.model import buckets_of
from shared.logging import get_logger
from shared.messaging.broker import EventPublisher
from shared.store.outbox import OUTBOX_FIELD, outbox_entry

log = get_logger(__name__)


@dataclass
class Candidate:
    """A row that passed normalisation: its client and the lookup keys it needs."""

    row: int
    client: Client
    keys: list[str] = field(default_factory=list)


async def _claim_again(
    ctx: Context, candidate: Candidate, key: str, new_number: Callable[[], str]
) -> None:
    """A key taken at the bulk insert: an orphan is taken over, a drawn card redrawn."""
    field_, value = key.split(":", 1)
    client = candidate.client
    if field_ == "card" and client.cards[0].source == "issued":
        for _ in range(5):
            number = new_number()
            try:
                await ctx.clients.claim("card", number, client.id)
            except DuplicateClient:
                continue
            client.cards = [Card(number=number, source="issued")]
            candidate.keys = [k for k in candidate.keys if k != key] + [f"card:{number}"]
            return
    await ctx.clients.claim(field_, value, client.id)


async def claim_keys(
    ctx: Context, candidates: Sequence[Candidate], new_number: Callable[[], str]
) -> tuple[list[Candidate], list[tuple[int, str]]]:
    """Insert every lookup of the batch at once; rows with a taken key are refused."""
    docs = [
        {"_id": k, "client_id": c.client.id, "summary": search_summary(c.client)}
        for c in candidates
        for k in c.keys
    ]
    taken = {docs[i]["_id"] for i in await insert_all(ctx.clients.lookups, docs)}
    ready: list[Candidate] = []
    refused: list[tuple[int, str]] = []
    for candidate in candidates:
        clashes = [k for k in candidate.keys if k in taken]
        try:
            for key in clashes:
                await _claim_again(ctx, candidate, key, new_number)
        except DuplicateClient as exc:
            refused.append((candidate.row, str(exc)))
            mine = [DeleteOne({"_id": k}) for k in candidate.keys if k not in clashes]
            if mine:
                await ctx.clients.lookups.bulk_write(mine, ordered=False)
            continue
        if clashes:  # a redrawn card number: the summaries show the new one
            await ctx.clients.refresh_lookups(candidate.client)
        ready.append(candidate)
    return ready, refused


async def file_lists(ctx: Context, candidates: Sequence[Candidate]) -> None:
    """Add the batch to the name buckets and managers' lists: new chunks, one insert."""
    lists: defaultdict[str, list[str]] = defaultdict(list)
    for c in candidates:
        entry = name_entry(c.client).encode()
        for bucket in buckets_of(c.client.name_norm):
            lists[bucket].append(entry)
        if c.client.manager_id:
            lists[f"manager:{c.client.manager_id}"].append(c.client.id)
    await ctx.index.append_chunks(lists)


async def _publish(publisher: EventPublisher, entry: dict[str, Any]) -> None:
    payload = entry["payload"].encode()
    await publisher.publish_raw(entry["topic"], entry["key"], payload, entry["correlation_id"])


async def write_and_announce(ctx: Context, candidates: Sequence[Candidate]) -> int:
    """Clients with their `client.registered` in their outboxes, then publish.

    One batch marker (written first) covers the whole insert; once every event is out,
    the marker goes. Updates cost FerretDB a write transaction per document, so the
    published entries are not pulled from each outbox here: the registry's next change
    of that client flushes them once more (a duplicate consumers drop by `event_id`).
    """
    if not candidates:
        return 0
    entries = {c.client.id: outbox_entry(registered_event(c.client)) for c in candidates}
    outbox = ctx.clients.outbox
    marker = await outbox.mark_many(CLIENTS, uuid4().hex, list(entries))
    docs = [c.client.to_doc() | {OUTBOX_FIELD: [entries[c.client.id]]} for c in candidates]
    await insert_all(ctx.clients.clients, docs)
    try:
        await asyncio.gather(*(_publish(ctx.publisher, e) for e in entries.values()))
    except Exception as exc:  # the marker stays: the registry's relay publishes later
        log.warning("import_publish_deferred", clients=len(entries), error=repr(exc))
        return 0
    await outbox.unmark(marker)
    return len(entries)
