"""Markers of the waiting room (waiting.py): "did anything wait for this client?"
without a read.

A parker inserts a marker `parked:<key>` into the service's `lookups` collection beside
the event it parks (insert only, so it never overwrites a lookup). A client handler
puts `marker_probes(keys)` after its lookups in the one bulk write it sends anyway, and
`anything_parked` reads the answer off that write's result: it returns its keys (and
the pipeline reads the waiting documents) only when a probe matched. The race rule of
the waiting room holds: the lookups come before the probes in that command, and a
parker inserts its marker before it checks the lookups again, so whichever comes
second applies the event. The release, the sweep and an erasure remove a key's marker
with its last parked event.
"""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import UpdateOne
from pymongo.results import BulkWriteResult

MARKERS = "lookups"  # where a service's client handler writes its lookups


def marker_id(key: str) -> str:
    return f"parked:{key}"


def marker_probes(keys: Sequence[str]) -> list[UpdateOne]:
    """Statements for a client handler's bulk write of its lookups (after them): each
    matches a document only when something was parked under that key."""
    return [UpdateOne({"_id": marker_id(k)}, {"$set": {"known": True}}) for k in keys]


def anything_parked(result: BulkWriteResult, upserts: int) -> bool:
    """Whether a probe matched, given the result of a bulk write of `upserts` upserts
    followed by probes: an upsert that did not insert matched a document too."""
    return result.matched_count > upserts - len(result.upserted_ids or {})
