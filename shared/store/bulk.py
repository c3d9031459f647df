"""Bulk writes in pieces FerretDB 1.x can take without wedging a database.

FerretDB 1.24's `update` command (SQLite backend) keeps the query of every statement
open until the whole command ends (`defer closer.Close()` inside its loop over the
statements), and each open query holds one of the database's 100 SQLite
connections. An `update` command with about 100 statements that match existing
documents therefore waits forever for a connection it holds itself, and from then on
every request to that database hangs (FerretDB restarts to recover). Found with
FerretDB's goroutine dump: 100 `Rows.awaitDone` created by one `MsgUpdate`.

So updates go in commands of at most `UPDATES_PER_COMMAND` statements, and a
process keeps at most `MAX_POOL_SIZE` connections to the store (shared/store/mongo.py),
so that even several writers never hold all 100. Inserts and deletes close their
queries as they go and are sent whole. MongoDB is not affected; the pieces cost it a
few more round trips per batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pymongo import ReplaceOne, UpdateMany, UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

UPDATES_PER_COMMAND = 16
DUPLICATE_KEY = 11000
UPDATES = (UpdateOne, UpdateMany, ReplaceOne)

WriteOp = Any


def _pieces(ops: Sequence[WriteOp]) -> list[Sequence[WriteOp]]:
    """Runs of the same kind in order; a run of updates cut to `UPDATES_PER_COMMAND`."""
    pieces: list[Sequence[WriteOp]] = []
    start = 0
    while start < len(ops):
        update = isinstance(ops[start], UPDATES)
        end = start + 1
        while end < len(ops) and isinstance(ops[end], UPDATES) == update:
            if update and end - start == UPDATES_PER_COMMAND:
                break
            end += 1
        pieces.append(ops[start:end])
        start = end
    return pieces


async def bulk_write(
    collection: AsyncCollection[dict[str, Any]], ops: Sequence[WriteOp], *, ordered: bool = False
) -> None:
    """`collection.bulk_write(ops)` in pieces; one BulkWriteError with every write error.

    Ordered: stops at the first failing piece (as an ordered bulk write stops at its
    first error). Unordered: every piece is tried, then the errors are raised together
    with their indexes into `ops`.
    """
    errors: list[dict[str, Any]] = []
    concern: list[dict[str, Any]] = []
    offset = 0
    for piece in _pieces(ops):
        try:
            await collection.bulk_write(list(piece), ordered=ordered)
        except BulkWriteError as exc:
            errors += [
                e | {"index": e.get("index", 0) + offset}
                for e in exc.details.get("writeErrors", [])
            ]
            concern += exc.details.get("writeConcernErrors", [])
            if ordered:
                break
        offset += len(piece)
    if errors or concern:
        raise BulkWriteError({"writeErrors": errors, "writeConcernErrors": concern})


def duplicate_indexes(exc: BulkWriteError) -> set[int]:
    """The positions a bulk insert refused as duplicates; any other write error, or a
    write concern error, is raised."""
    errors = exc.details.get("writeErrors", [])
    others = [e for e in errors if e.get("code") != DUPLICATE_KEY]
    if others or exc.details.get("writeConcernErrors"):
        raise exc
    return {int(e["index"]) for e in errors}


async def insert_new(
    collection: AsyncCollection[dict[str, Any]], docs: Sequence[Mapping[str, Any]]
) -> set[str]:
    """Insert every document in one unordered command; returns the `_id`s that existed
    already (a duplicate key: another writer, or an earlier try, was first)."""
    if not docs:
        return set()
    try:
        await collection.insert_many([dict(d) for d in docs], ordered=False)
    except BulkWriteError as exc:
        return {str(docs[i]["_id"]) for i in duplicate_indexes(exc)}
    return set()
