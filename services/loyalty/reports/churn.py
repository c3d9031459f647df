"""Churn risk: a client overdue against their own purchase rhythm. Pure."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class ChurnRisk:
    last_purchase: date
    median_gap_days: Decimal
    overdue_days: Decimal


def churn_risk(days: tuple[str, ...], today: date, factor: Decimal) -> ChurnRisk | None:
    """Overdue against the client's own rhythm: at least 3 purchase days, and more than
    `factor` x the median gap between them since the last one."""
    if len(days) < 3:
        return None
    dates = sorted(date.fromisoformat(d) for d in days)
    gaps = sorted((b - a).days for a, b in itertools.pairwise(dates))
    middle = len(gaps) // 2
    median = (
        Decimal(gaps[middle]) if len(gaps) % 2 else Decimal(gaps[middle - 1] + gaps[middle]) / 2
    )
    since = Decimal((today - dates[-1]).days)
    if median <= 0 or since <= factor * median:
        return None
    return ChurnRisk(dates[-1], median, since - median)
