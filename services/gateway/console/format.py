"""How the console shows times and ledger rows to a person (pure functions).

The services speak UTC ISO 8601 with microseconds (`2026-11-27T15:33:45.489000Z`);
staff read `27 Nov 2026, 16:33` in the business's time zone (`GATEWAY_TIMEZONE`).
A ledger row names the purchase (id, store, date), never the event that carried it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

LEDGER_KINDS = {
    "accrual": "Bonus earned",
    "redemption": "Bonus redeemed",
    "birthday": "Birthday bonus",
    "goodwill": "Goodwill bonus",
    "expiry": "Bonus expired",
    "adjustment": "Manual adjustment",
}


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def instant(value: Any) -> datetime | None:
    """A datetime, an ISO 8601 string or epoch seconds; naive times are UTC."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def when(value: Any, tz: ZoneInfo, *, seconds: bool = False) -> Markup:
    """`<time>` reading `27 Nov 2026, 16:33` in `tz` (the full time and zone on hover);
    empty for nothing, other text as it came."""
    moment = instant(value)
    if moment is None:
        return Markup("") if value in (None, "") else escape(str(value))
    local = moment.astimezone(tz)
    shown = local.strftime("%-d %b %Y, %H:%M:%S" if seconds else "%-d %b %Y, %H:%M")
    full = local.strftime("%-d %b %Y, %H:%M:%S %Z")
    iso = moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return Markup('<time datetime="{}" title="{}">{}</time>').format(iso, full, shown)


def day(value: Any) -> str:
    """A calendar date (`1990-03-15` -> `15 Mar 1990`); other text as it came."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip()[:10])
        except ValueError:
            return str(value)
    return value.strftime("%-d %b %Y") if isinstance(value, date) else str(value or "")


@dataclass(frozen=True)
class LedgerRow:
    at: Any
    what: str
    purchase: str  # `P-1001 at S7`, or "" for entries without a purchase
    note: str
    amount: str
    balance: str


def ledger_row(entry: dict[str, Any]) -> LedgerRow:
    """One bonus-history line as staff say it: what happened, to which purchase."""
    kind = str(entry.get("kind") or entry.get("type") or "")
    amount = str(entry.get("amount") or "")
    if kind == "return_reversal":
        what = (
            "Redeemed bonus back (return)"
            if not amount.startswith("-")
            else "Bonus taken back (return)"
        )
    else:
        what = LEDGER_KINDS.get(kind, kind.replace("_", " ").capitalize())
    purchase_id, store = entry.get("purchase_id"), entry.get("store_id")
    purchase = f"{purchase_id} at {store}" if purchase_id and store else str(purchase_id or "")
    actor, reason = entry.get("actor"), entry.get("reason")
    note = f"by {actor}" if actor else ""
    note = f"{note}: {reason}" if note and reason else note or str(reason or "")
    balance = str(entry.get("balance_after") or entry.get("balance") or "")
    return LedgerRow(
        entry.get("at") or entry.get("occurred_at"), what, purchase, note, amount, balance
    )
