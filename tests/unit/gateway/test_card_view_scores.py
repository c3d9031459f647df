"""The card view shows surveys' latest scores with the answers seen since merged in."""

from __future__ import annotations

from services.gateway.clients.model import scores_with


def answer(survey_id: str, score: int, at: str) -> dict[str, object]:
    return {"survey_id": survey_id, "score": score, "comment": None, "at": at}


def test_an_answer_surveys_has_not_counted_yet_shows_first_and_counts_in_the_average() -> None:
    counted = {"client_id": "c-1", "latest": [answer("s1", 4, "2026-11-01T10:00:00Z")]}
    shown = scores_with("c-1", counted, [answer("s2", 10, "2026-11-20T10:00:00Z")])
    assert [s["survey_id"] for s in shown["latest"]] == ["s2", "s1"]
    assert shown["average"] == 7.0


def test_an_answer_surveys_has_counted_already_shows_once() -> None:
    counted = {"client_id": "c-1", "latest": [answer("s1", 4, "2026-11-01T10:00:00Z")]}
    twice = [answer("s1", 4, "2026-11-01T10:00:00Z")] * 2
    shown = scores_with("c-1", counted, twice)
    assert [s["survey_id"] for s in shown["latest"]] == ["s1"] and shown["average"] == 4.0


def test_only_the_latest_five_are_shown_and_averaged() -> None:
    seen = [answer(f"s{n}", n, f"2026-11-{10 + n:02d}T10:00:00Z") for n in range(7)]
    shown = scores_with("c-1", None, seen)
    assert [s["survey_id"] for s in shown["latest"]] == ["s6", "s5", "s4", "s3", "s2"]
    assert shown["average"] == 4.0 and shown["client_id"] == "c-1"
