"""All MongoDB access of loyalty: point reads by string `_id`, and the journal writes.

Collections: `accounts` (`_id` client id), `lookups` (`card:<n>`, `phone:<e164>` ->
client id), `receipts` (`purchase:<id>`, `return:<id>`, `grant:<id>`,
`birthday:<client>:<year>` ...: what was applied, and the dedup key), `ledger`
(`<client>:<seq>`, a per-account sequence, so a history is a run of point reads),
`rules` (`category:<name>`), `reports` (read models), `unmatched`, `journals`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from cachetools import TTLCache
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.loyalty.accounts.model import AccountState, BonusAccount, LedgerEntry, ledger_id
from services.loyalty.reports.shards import all_shards, summed
from services.loyalty.rules.model import DEFAULT_RULES, CategoryRule
from shared.contracts import from_minor_units
from shared.messaging.claims import INBOX
from shared.messaging.idempotency import LAST_APPLIED
from shared.store.point_reads import find_by_ids

ACCOUNTS = "accounts"
LEDGER = "ledger"
RECEIPTS = "receipts"
REPORTS = "reports"
LOOKUPS = "lookups"
UNMATCHED = "unmatched"
RULES = "rules"
# Beside the purchase claims in `inbox` (shared/messaging/claims.py).
CLAIMS_BEGAN = "loyalty.purchase.recorded#claims_began"


def new_account_doc(
    client_id: str, currency: str, opened_at: datetime, event_key: str, **extra: Any
) -> dict[str, Any]:
    return {
        "_id": client_id,
        "balance_cents": 0,
        "lifetime_spend_cents": 0,
        "spend_by_month": {},
        "tier": "",
        "ledger_seq": 0,
        "category": "regular",
        "open_complaints": [],
        "currency": currency,
        "opened_at": opened_at,
        LAST_APPLIED: [event_key],
        **extra,
    }


def state_of(doc: dict[str, Any]) -> AccountState:
    return AccountState(
        client_id=doc["_id"],
        balance_cents=int(doc.get("balance_cents", 0)),
        lifetime_spend_cents=int(doc.get("lifetime_spend_cents", 0)),
        spend_by_month={k: int(v) for k, v in (doc.get("spend_by_month") or {}).items()},
        tier=doc.get("tier") or "",
        ledger_seq=int(doc.get("ledger_seq", 0)),
        category=doc.get("category") or "regular",
        open_complaints=frozenset(doc.get("open_complaints") or ()),
        earned_by_month={k: int(v) for k, v in (doc.get("earned_by_month") or {}).items()},
        purchase_days=tuple(doc.get("purchase_days") or ()),
    )


def ledger_doc(entry: LedgerEntry, currency: str, store_id: str | None = None) -> dict[str, Any]:
    """`store_id`: where the purchase behind the entry was made (staff recognise a
    purchase by its id, store and date, not by the event that carried it)."""
    return {
        "_id": entry.entry_id,
        "client_id": entry.client_id,
        "seq": entry.seq,
        "kind": entry.kind,
        "amount_cents": entry.amount_cents,
        "balance_after_cents": entry.balance_after_cents,
        "currency": currency,
        "at": entry.at,
        "cause": entry.cause,
        "purchase_id": entry.purchase_id,
        "store_id": store_id,
        "actor": entry.actor,
        "reason": entry.reason,
    }


def rule_from_doc(doc: dict[str, Any]) -> CategoryRule:
    return CategoryRule(
        name=doc["name"],
        accrual_rate=Decimal(doc["accrual_rate"]),
        discount_percent=Decimal(doc["discount_percent"]),
        special_prices={k: Decimal(v) for k, v in (doc.get("special_prices") or {}).items()},
        special_percent=(
            Decimal(doc["special_percent"]) if doc.get("special_percent") is not None else None
        ),
        prepayment_required=bool(doc.get("prepayment_required")),
        birthday_bonus=Decimal(doc.get("birthday_bonus", "0")),
    )


def rule_doc(rule: CategoryRule) -> dict[str, Any]:
    return {
        "_id": f"category:{rule.name}",
        "name": rule.name,
        "accrual_rate": str(rule.accrual_rate),
        "discount_percent": str(rule.discount_percent),
        "special_prices": {k: str(v) for k, v in rule.special_prices.items()},
        "special_percent": str(rule.special_percent) if rule.special_percent is not None else None,
        "prepayment_required": rule.prepayment_required,
        "birthday_bonus": str(rule.birthday_bonus),
    }


class AccountRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]], rules_ttl_s: float = 5.0) -> None:
        self.db = db
        self.accounts = db[ACCOUNTS]
        self.rules_ttl_s = rules_ttl_s
        self._rules: TTLCache[str, dict[str, CategoryRule]] = TTLCache(1, rules_ttl_s)
        self._claims_began: datetime | None = None

    async def load_raw(self, client_id: str) -> dict[str, Any] | None:
        return await self.accounts.find_one({"_id": client_id})

    async def load_many(self, client_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Concurrent point reads (never `$in`: FerretDB would scan)."""
        ids = list(client_ids)
        docs = await find_by_ids(self.accounts, ids)
        return {i: d for i, d in zip(ids, docs, strict=True) if d is not None}

    async def open(self, doc: dict[str, Any]) -> bool:
        """Open an empty account; False when it already exists (an upsert that inserts
        only: two replicas opening one account at once cannot both win)."""
        fields = {k: v for k, v in doc.items() if k != "_id"}
        result = await self.accounts.update_one(
            {"_id": doc["_id"]}, {"$setOnInsert": fields}, upsert=True
        )
        return result.upserted_id is not None

    async def set_fields(self, client_id: str, fields: dict[str, Any]) -> None:
        await self.accounts.update_one({"_id": client_id}, {"$set": fields})

    async def get(self, client_id: str) -> BonusAccount | None:
        return account_of(await self.load_raw(client_id))

    # -- alternate keys, receipts, unmatched purchases -------------------------------

    async def lookup_many(self, keys: Iterable[str]) -> dict[str, str]:
        keys = list(keys)
        docs = await find_by_ids(self.db[LOOKUPS], keys)
        return {k: d["client_id"] for k, d in zip(keys, docs, strict=True) if d}

    async def set_lookups(self, keys: Iterable[str], client_id: str) -> None:
        await asyncio.gather(
            *(
                self.db[LOOKUPS].update_one(
                    {"_id": key}, {"$set": {"client_id": client_id}}, upsert=True
                )
                for key in keys
            )
        )

    async def clients_with_balance(self) -> list[str]:
        """A scan (FerretDB filters in memory): for scheduled jobs only, never a hot path."""
        cursor = self.accounts.find({"balance_cents": {"$gt": 0}}, {"_id": 1})
        return [d["_id"] async for d in cursor]

    async def clients_with_rhythm(self) -> list[dict[str, Any]]:
        """A scan for the churn job: accounts with at least 3 purchase days."""
        cursor = self.accounts.find({}, {"purchase_days": 1})
        return [d async for d in cursor if len(d.get("purchase_days") or ()) >= 3]

    async def track_complaint(self, client_id: str, complaint_id: str, *, open_: bool) -> None:
        op = "$addToSet" if open_ else "$pull"
        await self.accounts.update_one({"_id": client_id}, {op: {"open_complaints": complaint_id}})

    async def delete_lookups(self, keys: Iterable[str]) -> None:
        for key in keys:
            await self.db[LOOKUPS].delete_one({"_id": key})

    async def add_merged_from(self, survivor_id: str, merged_id: str) -> None:
        await self.accounts.update_one(
            {"_id": survivor_id}, {"$addToSet": {"merged_from": merged_id}}
        )

    async def claims_began(self) -> datetime:
        """Since when purchases are claimed by the pipeline (before, their receipt alone
        was their dedup): a purchase older than that may have been counted without a
        claim, so its receipt is read. Stored once, at the first batch: the epoch in a
        store that has no receipt yet, else that moment (read once per process)."""
        if self._claims_began is None:
            doc = await self.db[INBOX].find_one({"_id": CLAIMS_BEGAN})
            if doc is None:
                legacy = await self.db[RECEIPTS].find_one({}, {"_id": 1})
                at = datetime.now(UTC) if legacy else datetime(1970, 1, 1, tzinfo=UTC)
                with contextlib.suppress(DuplicateKeyError):  # another replica was first
                    await self.db[INBOX].insert_one({"_id": CLAIMS_BEGAN, "at": at})
                doc = await self.db[INBOX].find_one({"_id": CLAIMS_BEGAN})
            self._claims_began = (doc or {}).get("at") or datetime.now(UTC)
        return self._claims_began

    async def receipts(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        ids = list(ids)
        docs = await find_by_ids(self.db[RECEIPTS], ids)
        return {i: d for i, d in zip(ids, docs, strict=True) if d is not None}

    async def unmatched_for(self, keys: Iterable[str]) -> list[str]:
        docs = await find_by_ids(self.db[UNMATCHED], keys)
        return [pid for doc in docs for pid in (doc or {}).get("purchase_ids", ())]

    async def clear_unmatched(self, keys: Iterable[str]) -> None:
        for key in keys:
            await self.db[UNMATCHED].delete_one({"_id": key})

    # -- ledger -------------------------------------------------------------------------

    async def ledger(self, client_id: str, last_seq: int, limit: int) -> list[dict[str, Any]]:
        """The newest `limit` entries, newest first, as concurrent point reads."""
        seqs = range(last_seq, max(0, last_seq - limit), -1)
        docs = await find_by_ids(self.db[LEDGER], (ledger_id(client_id, s) for s in seqs))
        return [d for d in docs if d is not None]

    # -- rules and reports ---------------------------------------------------------------

    async def rules(self) -> dict[str, CategoryRule]:
        """Stored rules over the defaults (a small collection, read whole).

        Kept for `rules_ttl_s` (every batch needs them): a change made through this
        process is seen at once, one made through another replica within the TTL."""
        kept = self._rules.get(RULES)
        if kept is not None:
            return dict(kept)
        rules = dict(DEFAULT_RULES)
        async for doc in self.db[RULES].find({}):
            rule = rule_from_doc(doc)
            rules[rule.name] = rule
        self._rules[RULES] = rules
        return dict(rules)

    async def save_rule(self, rule: CategoryRule) -> None:
        doc = rule_doc(rule)
        self._rules.clear()
        await self.db[RULES].replace_one({"_id": doc["_id"]}, doc, upsert=True)
        self._rules.clear()

    async def reports(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Report documents by key, each summed over its shards (reports/shards.py)."""
        return await summed(self.db, REPORTS, keys, await all_shards(self.db))


def account_of(doc: dict[str, Any] | None) -> BonusAccount | None:
    """The account an account document shows (none for a merged-away one)."""
    if doc is None or doc.get("merged_into"):
        return None
    return BonusAccount(
        client_id=doc["_id"],
        balance=from_minor_units(doc["balance_cents"]),
        currency=doc["currency"],
        opened_at=doc["opened_at"],
        tier=doc.get("tier") or "",
        lifetime_spend=from_minor_units(int(doc.get("lifetime_spend_cents", 0))),
        category=doc.get("category") or "regular",
    )
