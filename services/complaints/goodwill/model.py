"""Goodwill bonuses: deterministic grant ids and a per-client cap per period."""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, uuid5

PERIODS = ("month", "quarter", "year")


def grant_id(case_id: str, reason: str) -> str:
    """The same case and reason always name the same grant: granting twice is a no-op."""
    return uuid5(NAMESPACE_URL, f"clientele:goodwill:{case_id}:{reason}").hex


def goodwill_period(at: datetime, period: str) -> str:
    if period == "month":
        return f"{at.year}-{at.month:02d}"
    if period == "quarter":
        return f"{at.year}-Q{(at.month - 1) // 3 + 1}"
    if period == "year":
        return str(at.year)
    raise ValueError(f"goodwill period must be one of {PERIODS}, not {period!r}")


def capped_amount(requested_cents: int, granted_cents: int, cap_cents: int) -> int:
    """What may still be granted this period (0 once the cap is reached)."""
    return max(0, min(requested_cents, cap_cents - granted_cents))
