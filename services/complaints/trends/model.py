"""Topic trends: weekly counts per segment, and a topic rising against its own baseline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta


@dataclass(frozen=True)
class TrendPolicy:
    window_weeks: int
    min_count: int
    ratio: float


@dataclass(frozen=True)
class TrendVerdict:
    count: int
    baseline: float
    rising: bool


def iso_week(at: datetime | date) -> str:
    year, week, _ = at.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(week: str) -> date:
    try:
        year, number = week.split("-W")
        return date.fromisocalendar(int(year), int(number), 1)
    except ValueError as exc:
        raise ValueError(f"week {week!r} must look like 2026-W47") from exc


def previous_weeks(week: str, count: int) -> list[str]:
    """The `count` ISO weeks before `week`, oldest first."""
    monday = week_start(week)
    return [iso_week(monday - timedelta(weeks=n)) for n in range(count, 0, -1)]


def segments(category: str | None, store_id: str | None, tier: str | None) -> list[str]:
    """The segments one case counts in: everyone, and its category, store and tier."""
    found = ["all"]
    if category:
        found.append(f"category:{category}")
    if store_id:
        found.append(f"store:{store_id}")
    if tier:
        found.append(f"tier:{tier}")
    return found


def judge(count: int, history: list[int], policy: TrendPolicy) -> TrendVerdict:
    """Rising: at least `min_count` cases this week and `ratio` times the trailing mean.

    A topic that is merely large has a large baseline too, so it is not rising; the
    minimum keeps two cases after a quiet spell from being called a trend.
    """
    baseline = sum(history) / len(history) if history else 0.0
    rising = count >= policy.min_count and count >= policy.ratio * baseline
    return TrendVerdict(count, round(baseline, 2), rising)
