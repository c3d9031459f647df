"""What complaints keeps of clients: registry data, loyalty tier, card/phone lookups.

Registry data and the tier live in separate documents because different consumers
write them (one writer per document). Each registry field remembers when it was
last set, so events of different topics applied out of order never put an older
value over a newer one.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from decimal import Decimal
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from services.complaints.cases.model import KnownClient
from shared.client_projection import insert_unless_present, point_lookups
from shared.contracts import from_minor_units, to_minor_units

CLIENTS = "clients"
TIERS = "tiers"
LOOKUPS = "lookups"
PROJECTED = ("name", "phone", "card_number", "category", "manager_id", "tags")
GONE = "_gone"  # the tombstone of an erased or merged-away client (its only field)
STAMPS = "_set_at"


def lookup_keys(changes: dict[str, Any]) -> list[str]:
    """Card and phone lookups named by a registry event (`client.updated` carries the
    lists `phones` and `cards`, `client.registered` the main `phone` and `card_number`)."""
    phones = [changes.get("phone"), *(changes.get("phones") or ())]
    cards = [changes.get("card_number")]
    cards += [c.get("number") for c in changes.get("cards") or () if isinstance(c, dict)]
    return [f"phone:{p}" for p in phones if p] + [f"card_number:{c}" for c in cards if c]


class ClientProjection:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.clients = db[CLIENTS]
        self.tiers = db[TIERS]
        self.lookups = db[LOOKUPS]

    async def get(self, client_id: str) -> KnownClient | None:
        doc, tier = await asyncio.gather(
            self.clients.find_one({"_id": client_id}), self.tiers.find_one({"_id": client_id})
        )
        if doc is not None and doc.get(GONE):
            doc = None
        if doc is None and tier is None:
            return None
        fields = {k: v for k, v in (doc or {}).items() if k in PROJECTED and v is not None}
        if tier:
            fields["tier"] = tier["tier"]
            fields["lifetime_spend"] = from_minor_units(tier["lifetime_spend_cents"])
        return KnownClient(client_id=client_id, **fields)

    async def get_or_default(self, client_id: str) -> KnownClient:
        return await self.get(client_id) or KnownClient(client_id=client_id)

    async def known(self, client_id: str) -> bool:
        """Whether the registry's data of this client has arrived (not just a tier)."""
        doc = await self.clients.find_one({"_id": client_id}, {GONE: 1})
        return doc is not None and not doc.get(GONE)

    async def gone(self, client_id: str) -> bool:
        """Erased or merged away: a registration, update or tier change arriving later
        (another topic) must not bring the client back."""
        doc = await self.clients.find_one({"_id": client_id}, {GONE: 1})
        return bool(doc and doc.get(GONE))

    async def register(
        self, client_id: str, fields: dict[str, Any], at: datetime
    ) -> dict[str, Any] | None:
        """Insert the client's projection unless a document exists (an update or the
        erasure came first, or a repeat); returns what was there."""
        projected = {k: v for k, v in fields.items() if k in PROJECTED}
        doc = projected | {STAMPS: dict.fromkeys(projected, at)}
        return await insert_unless_present(self.clients, client_id, doc)

    async def apply(
        self,
        client_id: str,
        changes: dict[str, Any],
        at: datetime,
        stored: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Set the projected fields that are newer than what is stored (`stored`: the
        document already read); returns them. Lookups are the caller's."""
        if stored is None:
            stored = await self.clients.find_one({"_id": client_id}) or {}
        stamps: dict[str, datetime] = stored.get(STAMPS, {})
        newer = {
            k: v
            for k, v in changes.items()
            if k in PROJECTED and (k not in stamps or stamps[k] <= at)
        }
        if newer:
            stamped = {f"{STAMPS}.{k}": at for k in newer}
            await self.clients.update_one(
                {"_id": client_id}, {"$set": newer | stamped}, upsert=True
            )
        return newer

    async def point_all(self, client_id: str, keys: list[str], probes: list[UpdateOne]) -> bool:
        """Point each lookup key to the client, then `probes` (the waiting room's and
        others', waiting.py), in one command; returns whether a probe matched."""
        return await point_lookups(self.lookups, dict.fromkeys(keys, client_id), probes)

    async def set_tier(
        self, client_id: str, tier: str, lifetime_spend: Decimal, at: datetime
    ) -> None:
        current = await self.tiers.find_one({"_id": client_id})
        if current and current["at"] > at:
            return  # an older tier change arrived late
        await self.tiers.update_one(
            {"_id": client_id},
            {
                "$set": {
                    "tier": tier,
                    "lifetime_spend_cents": to_minor_units(lifetime_spend),
                    "at": at,
                }
            },
            upsert=True,
        )

    async def claim_lookup(self, key: str, client_id: str) -> None:
        await self.lookups.update_one({"_id": key}, {"$set": {"client_id": client_id}}, upsert=True)

    async def resolve(self, *keys: str) -> str | None:
        """The client id a card number or phone belongs to, by point reads."""
        for key in keys:
            doc = await self.lookups.find_one({"_id": key})
            if doc:
                return str(doc["client_id"])
        return None

    async def forget(self, client_id: str, survivor_id: str | None = None) -> None:
        """Erase personal data: the projection, its lookups (led to the survivor of a
        merge instead) and the tier; a tombstone keeps late events from restoring it."""
        await self.lookups.update_one(
            {"_id": f"gone:{client_id}"}, {"$set": {"client_id": client_id}}, upsert=True
        )
        doc = await self.clients.find_one({"_id": client_id}) or {}
        for key in ("card_number", "phone"):
            lookup = await self.lookups.find_one({"_id": f"{key}:{doc.get(key)}"})
            if lookup and lookup["client_id"] == client_id:
                if survivor_id:
                    await self.claim_lookup(lookup["_id"], survivor_id)
                else:
                    await self.lookups.delete_one({"_id": lookup["_id"]})
        # The registry's data goes; its tombstone stays (a late registration is refused
        # by the document it would insert into).
        await self.clients.replace_one({"_id": client_id}, {GONE: True}, upsert=True)
        await self.tiers.delete_one({"_id": client_id})
