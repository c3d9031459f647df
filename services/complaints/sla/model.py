"""SLA clocks: deadlines per priority, optionally counted in business hours, and breaches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.complaints.cases.model import Breach, Case


@dataclass(frozen=True)
class BusinessHours:
    opens: time
    closes: time
    days: frozenset[int]  # Monday = 0
    tz: ZoneInfo

    @classmethod
    def parse(cls, spec: str, days: list[int], tz: str) -> BusinessHours:
        """`"09:00-18:00"` -> opening hours on `days` in time zone `tz`."""
        try:
            start, end = (time.fromisoformat(p.strip()) for p in spec.split("-"))
        except ValueError as exc:
            raise ValueError(f"business hours {spec!r} must look like 09:00-18:00") from exc
        if start >= end or not days:
            raise ValueError(f"business hours {spec!r} must open before they close on some day")
        return cls(start, end, frozenset(days), ZoneInfo(tz))


@dataclass(frozen=True)
class SlaPolicy:
    first_response_hours: dict[str, float]
    resolution_hours: dict[str, float]
    business_hours: BusinessHours | None = None


def add_working_time(start: datetime, hours: float, bh: BusinessHours | None) -> datetime:
    """`start` plus `hours` of working time (all hours count without business hours)."""
    if bh is None:
        return start + timedelta(hours=hours)
    remaining = timedelta(hours=hours)
    cursor = start.astimezone(bh.tz)
    for _ in range(3660):  # ten years of days: a guard, never reached with sane settings
        day = cursor.date()
        if day.weekday() in bh.days:
            opens = datetime.combine(day, bh.opens, bh.tz)
            closes = datetime.combine(day, bh.closes, bh.tz)
            begin = max(cursor, opens)
            if begin < closes:
                if closes - begin >= remaining:
                    return (begin + remaining).astimezone(UTC)
                remaining -= closes - begin
        cursor = datetime.combine(day + timedelta(days=1), time(0), bh.tz)
    raise ValueError("no business hours found to count the SLA in")


def sla_deadlines(
    opened_at: datetime, priority: str, policy: SlaPolicy
) -> tuple[datetime, datetime]:
    """(first-response deadline, resolution deadline) of a case opened at `opened_at`."""
    first = add_working_time(
        opened_at, policy.first_response_hours[priority], policy.business_hours
    )
    resolve = add_working_time(opened_at, policy.resolution_hours[priority], policy.business_hours)
    return first, resolve


def due_breaches(case: Case, now: datetime) -> list[Breach]:
    """Deadlines this open case has missed by `now` and that were not escalated yet."""
    if not case.is_open:
        return []
    found: list[Breach] = []
    if (
        case.first_response_at is None
        and now > case.first_response_due
        and "first_response" not in case.breaches
    ):
        found.append("first_response")
    if now > case.resolution_due and "resolution" not in case.breaches:
        found.append("resolution")
    return found


def next_check(case: Case) -> datetime | None:
    """When the checker must look at this case again (None: nothing left to breach)."""
    if not case.is_open:
        return None
    pending = []
    if case.first_response_at is None and "first_response" not in case.breaches:
        pending.append(case.first_response_due)
    if "resolution" not in case.breaches:
        pending.append(case.resolution_due)
    return min(pending) if pending else None
