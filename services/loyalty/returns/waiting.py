"""Whether a return can be waiting for a purchase at all: one point read per purchase
batch instead of one per purchase.

A return that comes before its purchase waits in the waiting room under
`purchase:<id>` (handlers.py); the purchase batch that records the purchase releases it.
Looking for such a return cost one point read per purchase (~1 store command per
purchase, nearly always finding nothing). Now a return that is about to wait first
pushes `until` on one gate document forward to the moment it would surely have left
the waiting room (its maximum age, plus a margin); a purchase batch reads the gate
after its commit and reads the waiting room only while `until` is ahead.

The race rule of the waiting room holds: the return writes the gate before it is
parked and checks for the purchase's receipt after; the batch writes its receipts
before it reads the gate. Whichever comes second sees the other. Concurrent `$max`
updates are not atomic on FerretDB, but every writer sets nearly the same moment (now
plus the maximum age), well inside the margin. Returns parked by a version without
the gate are found by one scan of the waiting room per process (its first batch).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from pymongo.errors import DuplicateKeyError

from services.loyalty.bootstrap import Context
from shared.messaging.claims import INBOX
from shared.messaging.waiting import WAITING
from shared.store.point_reads import find_by_ids

GATE = "loyalty.purchase.returned#waiting_until"
MARGIN = timedelta(hours=1)
_checked_before_gate: set[str] = set()  # databases whose old waiting room was looked at


async def note_return_waiting(loyalty: Context) -> None:
    """Called before a return is parked: purchase batches look for it until then."""
    until = datetime.now(UTC) + timedelta(hours=loyalty.settings.waiting_max_age_h) + MARGIN
    change = {"$max": {"until": until}}
    try:
        await loyalty.store[INBOX].update_one({"_id": GATE}, change, upsert=True)
    except DuplicateKeyError:  # two first writers: the document exists now
        await loyalty.store[INBOX].update_one({"_id": GATE}, change, upsert=True)


async def returns_may_wait(loyalty: Context) -> bool:
    if loyalty.store.name not in _checked_before_gate:
        old = await loyalty.store[WAITING].find_one(
            {"_id": {"$regex": "^waiting:purchase:"}}, {"_id": 1}
        )
        if old is not None:
            await note_return_waiting(loyalty)
        _checked_before_gate.add(loyalty.store.name)
    gate = await loyalty.store[INBOX].find_one({"_id": GATE})
    until = (gate or {}).get("until")
    if until is None:
        return False
    if until.tzinfo is None:
        until = until.replace(tzinfo=UTC)
    return bool(until > datetime.now(UTC))


async def waiting_for(loyalty: Context, purchase_ids: Sequence[str]) -> list[str]:
    """The `purchase:<id>` keys returns wait under, of these purchases (called after the
    batch's commit): one read of the gate, and only while it is open one point read
    per purchase, so a batch releases only what is there."""
    if not purchase_ids or not await returns_may_wait(loyalty):
        return []
    keys = [f"purchase:{pid}" for pid in purchase_ids]
    docs = await find_by_ids(loyalty.store[WAITING], (f"waiting:{k}" for k in keys), {"_id": 1})
    return [k for k, doc in zip(keys, docs, strict=True) if doc]
