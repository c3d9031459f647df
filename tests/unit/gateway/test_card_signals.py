"""The card's signals are read from the parts their owners answered with."""

from __future__ import annotations

from services.gateway.clients.handlers import signals_of
from services.gateway.clients.model import ClientCard


def test_signals_come_from_the_open_cases_the_latest_score_and_the_account_tier() -> None:
    card = ClientCard(
        client={"id": "c1"},
        loyalty={"tier": "gold", "balance": "12.50"},
        complaints=[{"id": "K1"}, {"id": "K2"}],
        scores={
            "latest": [
                {"survey_id": "S1", "score": 9, "at": "2026-11-01T10:00:00Z"},
                {"survey_id": "S2", "score": 3, "at": "2026-11-20T10:00:00Z"},
            ]
        },
    )
    assert signals_of(card) == {
        "open_complaints": 2,
        "latest_survey_score": 3,
        "latest_survey_at": "2026-11-20T10:00:00Z",
        "tier": "gold",
    }


def test_a_part_that_is_missing_or_down_shows_no_signal() -> None:
    card = ClientCard(client={"id": "c1"}, loyalty={"tier": ""}, unavailable=["surveys"])
    assert signals_of(card) == {
        "open_complaints": 0,
        "latest_survey_score": None,
        "latest_survey_at": None,
        "tier": None,
    }
