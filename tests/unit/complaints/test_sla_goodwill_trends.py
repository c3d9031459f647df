"""SLA deadlines (with business hours), goodwill caps and rising-topic detection."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from services.complaints.goodwill.model import capped_amount, goodwill_period, grant_id
from services.complaints.sla.model import BusinessHours, SlaPolicy, sla_deadlines
from services.complaints.trends.model import TrendPolicy, iso_week, judge, previous_weeks

HOURS = BusinessHours.parse("09:00-17:00", [0, 1, 2, 3, 4], "Europe/Berlin")
POLICY = SlaPolicy({"normal": 4.0}, {"normal": 16.0}, HOURS)


def test_without_business_hours_every_hour_counts() -> None:
    opened = datetime(2026, 11, 20, 16, tzinfo=UTC)
    first, resolve = sla_deadlines(opened, "normal", SlaPolicy({"normal": 4.0}, {"normal": 16.0}))
    assert first == datetime(2026, 11, 20, 20, tzinfo=UTC)
    assert resolve == datetime(2026, 11, 21, 8, tzinfo=UTC)


def test_business_hours_skip_the_night_and_the_weekend() -> None:
    friday_afternoon = datetime(2026, 11, 20, 14, tzinfo=UTC)  # 15:00 in Berlin
    first, resolve = sla_deadlines(friday_afternoon, "normal", POLICY)
    # 2 hours on Friday (15-17), 2 more on Monday from 09:00 Berlin (08:00 UTC)
    assert first == datetime(2026, 11, 23, 10, tzinfo=UTC)
    # 2 h Friday + 8 h Monday + 6 h Tuesday -> Tuesday 15:00 Berlin
    assert resolve == datetime(2026, 11, 24, 14, tzinfo=UTC)


def test_a_case_opened_at_night_starts_its_clock_when_the_shop_opens() -> None:
    first, _ = sla_deadlines(datetime(2026, 11, 24, 2, tzinfo=UTC), "normal", POLICY)
    assert first == datetime(2026, 11, 24, 12, tzinfo=UTC)


def test_goodwill_grant_ids_are_deterministic_and_the_cap_holds() -> None:
    assert grant_id("case-1", "sla") == grant_id("case-1", "sla") != grant_id("case-2", "sla")
    assert capped_amount(1000, 2500, 3000) == 500
    assert capped_amount(1000, 3000, 3000) == 0
    assert goodwill_period(datetime(2026, 11, 23, tzinfo=UTC), "quarter") == "2026-Q4"


def test_weeks_before_a_week_cross_the_year() -> None:
    assert previous_weeks("2026-W02", 3) == ["2025-W51", "2025-W52", "2026-W01"]
    assert iso_week(datetime(2026, 11, 23, tzinfo=UTC)) == "2026-W48"


TRENDS = TrendPolicy(window_weeks=8, min_count=5, ratio=2.0)


def test_a_topic_rising_against_its_own_baseline_is_flagged_and_a_large_one_is_not() -> None:
    rng = random.Random(7)
    large_history = [rng.randint(40, 60) for _ in range(8)]
    large_now = max(large_history) + 5  # the biggest topic, and a bad week, but usual
    small_history = [rng.randint(0, 2) for _ in range(8)]
    assert not judge(large_now, large_history, TRENDS).rising
    assert judge(9, small_history, TRENDS).rising


def test_two_cases_after_a_quiet_spell_are_not_a_trend() -> None:
    assert not judge(2, [0] * 8, TRENDS).rising
    assert judge(5, [0] * 8, TRENDS).rising
