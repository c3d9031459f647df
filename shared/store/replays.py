"""Who replays an open journal: exactly one process at a time, by a unique `_id` insert.

A journal left open by a crash may be eligible for several processes at once: the new
owners of the partitions a batch spanned (after a rebalance they can be different
processes), and anyone once it is stale. Two replays at once would both pass the
`_last_applied` check of a document and count its increment twice, so a replay is
taken first: an insert of `<journal>#<slot>` into `journal_replays`, the slot being the
journal's age in `STALE_S` periods. The insert is the check (no read first, no lease
update: FerretDB does not make concurrent updates of one document atomic). Whoever
finds it taken waits until the journal is gone, since it must not write the journal's
documents before the replay has finished; if the taker died, the next slot is free
after `STALE_S` and the waiter takes it over.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.logging import get_logger

log = get_logger(__name__)

REPLAYS = "journal_replays"
JOURNALS = "journals"  # the unit of work's (unit_of_work.py imports both from here)
STALE_S = 60.0  # a journal this old is anyone's to replay
POLL_S = 0.25


class Replays:
    """The replay claims of one process (`owner`)."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]], owner: str, stale_s: float = STALE_S):
        self.db, self.owner, self.stale_s = db, owner, stale_s

    def _id(self, journal: Mapping[str, Any]) -> str:
        age = (datetime.now(UTC) - _aware(journal["at"])).total_seconds()
        return f"{journal['_id']}#{int(max(age, 0.0) // self.stale_s)}"

    async def _take(self, journal: Mapping[str, Any]) -> str | None:
        claim_id = self._id(journal)
        try:
            await self.db[REPLAYS].insert_one(
                {"_id": claim_id, "owner": self.owner, "at": datetime.now(UTC)}
            )
            return claim_id
        except DuplicateKeyError:
            found = await self.db[REPLAYS].find_one({"_id": claim_id}, {"owner": 1})
        mine = found is not None and found.get("owner") == self.owner  # its own, retried
        return claim_id if mine else None

    async def take_or_wait(self, journal: Mapping[str, Any]) -> str | None:
        """The claim when this process replays it now; None: another process replayed
        it and it is finished."""
        waited = False
        while True:
            if claim_id := await self._take(journal):
                if await self._open(journal):
                    return claim_id
                # Replayed and finished meanwhile: its replayer deletes the journal, then
                # releases the claim, so a claim free again may be of a finished journal
                # (replaying it again would count twice what others wrote since).
                await self.release(claim_id)
                return None
            if not waited:
                log.warning("journal_replay_taken_elsewhere", journal_id=journal["_id"])
                waited = True
            await asyncio.sleep(POLL_S)
            if not await self._open(journal):
                return None

    async def _open(self, journal: Mapping[str, Any]) -> bool:
        return await self.db[JOURNALS].find_one({"_id": journal["_id"]}, {"_id": 1}) is not None

    async def release(self, claim_id: str) -> None:
        await self.db[REPLAYS].delete_one({"_id": claim_id})


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)
