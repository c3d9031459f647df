"""Erasure in the waiting room: parked copies of events that carry an erased client's
data are dropped.

An event parked under several keys (a sale naming an unknown card and the client's
phone) is released by the key that becomes known, but its copy under the other key
stays until the sweep (`*_WAITING_MAX_AGE_H`), body and all. On `client.erased` the
service drops every parked event whose body names the client: by id, by phone (as
digits, whatever format the POS wrote) or by card number. An admin scan of the small
`waiting` collection, run once per erasure, off the hot path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from shared.identity import national_digits
from shared.logging import get_logger
from shared.messaging.waiting import WaitingRoom
from shared.messaging.waiting_markers import marker_id

log = get_logger(__name__)

_NOT_DIGIT = re.compile(r"\D")


@dataclass(frozen=True)
class ErasedClient:
    """What names the erased client in an event body."""

    client_id: str
    phone_digits: tuple[str, ...]
    card_digits: tuple[str, ...]

    @classmethod
    def of(
        cls, client_id: str, phones: Iterable[str | None], cards: Iterable[str | None]
    ) -> ErasedClient:
        digits = tuple(d for d in (national_digits(p) for p in phones if p) if len(d) >= 6)
        card_digits = tuple(d for d in (_NOT_DIGIT.sub("", c) for c in cards if c) if d)
        return cls(client_id, digits, card_digits)

    def named_in(self, body: str) -> bool:
        if self.client_id in body:
            return True
        digits = _NOT_DIGIT.sub("", body)
        return any(d in digits for d in (*self.phone_digits, *self.card_digits))


async def forget_parked(room: WaitingRoom, client: ErasedClient) -> int:
    """Pull every parked event naming `client` out of every waiting document; returns
    how many copies went. `$pullAll` of the exact elements (as the room itself does),
    never a delete of a document a parker may be pushing to."""
    dropped = 0
    async for doc in room.collection.find({}):
        if str(doc["_id"]).startswith("done:"):
            continue
        naming = [e for e in doc.get("events", ()) if client.named_in(str(e.get("body", "")))]
        if naming:
            await room.collection.update_one({"_id": doc["_id"]}, {"$pullAll": {"events": naming}})
            dropped += len(naming)
            if len(naming) == len(doc.get("events", ())):  # its marker names the client too
                key = str(doc["_id"]).removeprefix("waiting:")
                await room.markers.delete_one({"_id": marker_id(key)})
    if dropped:
        log.info("parked_events_of_erased_client_dropped", client_id=client.client_id, n=dropped)
    return dropped
