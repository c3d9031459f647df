"""Bulk import of clients from a CSV file: streamed, in batches, through the outbox.

Each batch of rows is normalised like an API registration, checked for duplicates
(inside the batch and against the store: the lookup inserts are the check, as for
one registration), written with a few bulk writes, and announced: every client
document carries its `client.registered` in its outbox (with a marker) in the same
insert, the events are published, then the outboxes are emptied. A crash anywhere
leaves markers that the registry's relay publishes later. Memory holds one batch.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from services.registry.bootstrap import Context
from services.registry.cards.model import (
    Card,
    InvalidCardNumber,
    new_card_number,
    normalise_card_number,
)
from services.registry.catalog.model import UnknownCode
from services.registry.identity.handlers import name_entry
from services.registry.identity.model import InvalidClientData, InvalidPhone, new_client
from services.registry.identity.repository import identity_keys
from services.registry.imports import repository
from services.registry.imports.model import Row, RowError, batches, draft_of
from services.registry.imports.report import ErrorReport
from services.registry.imports.repository import Candidate
from services.registry.search.model import buckets_of, similar_names

ROW_ERRORS = (RowError, InvalidPhone, InvalidClientData, InvalidCardNumber, UnknownCode)


@dataclass
class ImportSummary:
    rows: int = 0
    imported: int = 0
    refused: int = 0
    possible_duplicates: int = 0
    published: int = 0
    seconds: float = 0.0


class BatchImporter:
    """Imports one batch at a time; between batches it keeps only a catalog cache."""

    def __init__(
        self,
        ctx: Context,
        report: ErrorReport,
        *,
        check_similar: bool = False,
        parallel: int = 8,
    ) -> None:
        self.ctx = ctx
        self.report = report
        self.check_similar = check_similar
        self.parallel = parallel
        self.known_codes: dict[str, bool] = {}
        self.summary = ImportSummary()

    def new_number(self) -> str:
        return new_card_number(self.ctx.card_prefix)

    async def _check_code(self, kind: str, code: str) -> None:
        key = f"{kind}:{code}"
        if key not in self.known_codes:
            lookup = self.ctx.catalog.category if kind == "category" else self.ctx.catalog.tag
            try:
                await lookup(code)
                self.known_codes[key] = True
            except UnknownCode:
                self.known_codes[key] = False
        if not self.known_codes[key]:
            raise UnknownCode(f"{kind} {code!r} does not exist")

    async def _candidate(self, row: Row) -> Candidate:
        draft = draft_of(row)
        client = new_client(draft, self.ctx.default_region)
        await self._check_code("category", client.category)
        for tag in client.tags:
            await self._check_code("tag", tag)
        if draft.card_number:
            number = normalise_card_number(draft.card_number)
            client.cards = [Card(number=number, source="import")]
        else:
            client.cards = [Card(number=self.new_number(), source="issued")]
        return Candidate(row.number, client, [f"{f}:{v}" for f, v in identity_keys(client)])

    async def _prepare(self, rows: Iterable[Row]) -> list[Candidate]:
        """Valid rows whose keys no earlier row of the batch holds."""
        seen: dict[str, Candidate] = {}
        ready: list[Candidate] = []
        for row in rows:
            try:
                candidate = await self._candidate(row)
            except ROW_ERRORS as exc:
                self.report.add(row.number, str(exc))
                continue
            clash = next((k for k in candidate.keys if k in seen), None)
            if clash is not None:
                first = seen[clash]
                field, value = clash.split(":", 1)
                owner = f"client {first.client.id} (row {first.row})"
                self.report.add(row.number, f"{field} {value} already belongs to {owner}")
                continue
            seen.update((k, candidate) for k in candidate.keys)
            ready.append(candidate)
        return ready

    async def _warn_similar(self, candidates: list[Candidate]) -> None:
        """Same birthday + similar name as a client already stored: imported, but reported."""
        by_bucket: defaultdict[str, list[Candidate]] = defaultdict(list)
        for c in candidates:
            if c.client.birthday is not None:
                for bucket in buckets_of(c.client.name_norm):
                    by_bucket[bucket].append(c)
        buckets = list(by_bucket)
        contents = await asyncio.gather(*(self.ctx.names.names_in(b) for b in buckets))
        warned: set[int] = set()
        for bucket, entries in zip(buckets, contents, strict=True):
            for c in by_bucket[bucket]:
                me = name_entry(c.client)
                for e in entries:
                    if c.row in warned or e.birthday != me.birthday:
                        continue
                    if similar_names(e.name_norm, me.name_norm):
                        warned.add(c.row)
                        reason = f"possible duplicate of client {e.client_id} (imported anyway)"
                        self.report.add(c.row, reason, kind="warning")
        self.summary.possible_duplicates += len(warned)

    async def import_batch(self, rows: list[Row]) -> None:
        self.summary.rows += len(rows)
        candidates = await self._prepare(rows)
        ready, refused = await repository.claim_keys(self.ctx, candidates, self.new_number)
        for row, reason in refused:
            self.report.add(row, reason)
        if self.check_similar:
            await self._warn_similar(ready)
        await repository.file_lists(self.ctx, ready)
        published = await repository.write_and_announce(self.ctx, ready)
        self.summary.imported += len(ready)
        self.summary.published += published
        self.summary.refused = self.report.errors

    async def run(
        self, rows: Iterator[Row], batch_size: int, progress: Callable[[int], None]
    ) -> ImportSummary:
        started = time.monotonic()
        for batch in batches(rows, batch_size):
            await self.import_batch(batch)
            progress(len(batch))
        self.summary.seconds = time.monotonic() - started
        return self.summary
