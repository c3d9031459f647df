"""Ratings as read models: what one answer adds, and what the sums mean.

A rating document (`employee:E7:2026-11`, `store:S1:2026-W47`, `category:vip:all`,
`all:all:2026-11`) holds counts only; averages and scores are derived when read:

- average = sum / count (scores 0-10);
- NPS = (promoters - detractors) / count x 100, promoters score 9-10, detractors 0-6;
- CSAT = satisfied / count x 100, satisfied = score 8-10 (top three of the 0-10 scale).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel

SUBJECT_KINDS = ("all", "employee", "store", "category")


def month_of(at: datetime, timezone: str) -> str:
    return at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m")


def months_back(month: str, count: int) -> list[str]:
    """`month` and the `count - 1` months before it, newest first (`2026-01` -> `2025-12`)."""
    year, mon = (int(x) for x in month.split("-"))
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{mon:02d}")
        year, mon = (year, mon - 1) if mon > 1 else (year - 1, 12)
    return months


def week_of(at: datetime | date, timezone: str | None = None) -> str:
    day = at.astimezone(ZoneInfo(timezone)).date() if isinstance(at, datetime) and timezone else at
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def last_weeks(until: date, weeks: int) -> list[str]:
    """ISO weeks ending with the week of `until`, oldest first."""
    return [week_of(until - timedelta(weeks=n)) for n in reversed(range(weeks))]


def periods_of(at: datetime, timezone: str) -> list[str]:
    return ["all", month_of(at, timezone), week_of(at, timezone)]


def score_increments(score: int) -> dict[str, int]:
    return {
        "count": 1,
        "sum": score,
        "promoters": int(score >= 9),
        "passives": int(7 <= score <= 8),
        "detractors": int(score <= 6),
        "satisfied": int(score >= 8),
    }


class Rating(BaseModel):
    subject: str
    period: str
    count: int = 0
    sum: int = 0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    satisfied: int = 0
    complaints: int = 0
    complaints_founded: int = 0

    @property
    def average(self) -> float | None:
        return round(self.sum / self.count, 2) if self.count else None

    @property
    def nps(self) -> float | None:
        if not self.count:
            return None
        return round((self.promoters - self.detractors) * 100 / self.count, 1)

    @property
    def csat(self) -> float | None:
        return round(self.satisfied * 100 / self.count, 1) if self.count else None


# Employee of the month -----------------------------------------------------------------

QUALITY_FORMULA = (
    "quality index = 5 x average score (0-10, so 0-50) + (NPS + 100) / 4 (so 0-50) "
    "- 10 per founded complaint - 2 per other complaint attributed to the employee "
    "in the month; only employees with at least {min_answers} answers in the month "
    "take part; ties go to more answers, then to the employee id"
)


def quality_index(rating: Rating) -> float | None:
    if not rating.count:
        return None
    other = max(rating.complaints - rating.complaints_founded, 0)
    nps = (rating.promoters - rating.detractors) * 100 / rating.count
    value = (
        5 * rating.sum / rating.count + (nps + 100) / 4 - 10 * rating.complaints_founded - 2 * other
    )
    return round(value, 2)


def rank_employees(ratings: list[Rating], min_answers: int) -> list[tuple[Rating, float | None]]:
    """Every employee with their index, best first; the ineligible last (index None)."""
    scored = [(r, quality_index(r) if r.count >= min_answers else None) for r in ratings]

    def order(item: tuple[Rating, float | None]) -> tuple[int, float, int, str]:
        rating, index = item
        return (index is None, -(index or 0.0), -rating.count, rating.subject)

    return sorted(scored, key=order)
