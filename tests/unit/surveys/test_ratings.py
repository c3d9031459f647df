"""Rating arithmetic and the employee-of-the-month ranking."""

from __future__ import annotations

from datetime import date

from services.surveys.ratings.model import Rating, last_weeks, quality_index, rank_employees


def rating(subject: str, scores: list[int], complaints: int = 0, founded: int = 0) -> Rating:
    return Rating(
        subject=subject,
        period="2026-11",
        count=len(scores),
        sum=sum(scores),
        promoters=sum(s >= 9 for s in scores),
        passives=sum(7 <= s <= 8 for s in scores),
        detractors=sum(s <= 6 for s in scores),
        satisfied=sum(s >= 8 for s in scores),
        complaints=complaints,
        complaints_founded=founded,
    )


def test_nps_csat_and_average_follow_their_definitions() -> None:
    r = rating("employee:E1", [10, 9, 8, 7, 6, 0])
    assert (r.average, r.nps, r.csat) == (6.67, 0.0, 50.0)
    assert Rating(subject="all", period="all").nps is None


def test_quality_index_weighs_scores_nps_and_complaints() -> None:
    assert quality_index(rating("employee:E1", [10, 10])) == 100.0
    assert quality_index(rating("employee:E1", [10, 10], complaints=2, founded=1)) == 88.0
    assert quality_index(rating("employee:E1", [0, 0])) == 0.0


def test_ranking_puts_the_ineligible_last_and_breaks_ties_by_answers() -> None:
    few = rating("employee:E9", [10, 10])
    a = rating("employee:E1", [9, 9, 9])
    b = rating("employee:E2", [9, 9, 9, 9])
    ranked = rank_employees([few, a, b], min_answers=3)
    assert [(r.subject, i) for r, i in ranked] == [
        ("employee:E2", 95.0),
        ("employee:E1", 95.0),
        ("employee:E9", None),
    ]


def test_weekly_series_ends_with_this_week() -> None:
    assert last_weeks(date(2026, 1, 5), 3) == ["2025-W52", "2026-W01", "2026-W02"]
