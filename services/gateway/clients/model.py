"""The client card: what staff see about one client, and an upstream refusal of it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class UpstreamError(Exception):
    """A service answered with an error the gateway passes on."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"upstream answered {status}")
        self.status = status
        self.body = body


class ClientCard(BaseModel):
    """Everything staff see about one client; parts whose service is down are named."""

    client: dict[str, Any]
    loyalty: dict[str, Any] | None = None
    ledger: Any = None
    complaints: Any = None
    scores: Any = None
    unavailable: list[str] = Field(default_factory=list)


LATEST_SCORES = 5  # as many as surveys keeps (services/surveys/ratings/repository.py)


def scores_with(
    client_id: str, scores: dict[str, Any] | None, answers: list[dict[str, Any]]
) -> dict[str, Any]:
    """Surveys' answer for the card with the answers seen since (newest first) in front,
    each survey once, the latest `LATEST_SCORES`, the average of those (as surveys does)."""
    latest = list((scores or {}).get("latest") or [])
    counted = {s.get("survey_id") for s in latest}
    new = sorted(
        (a for a in answers if a.get("survey_id") not in counted),
        key=lambda a: str(a.get("at")),
        reverse=True,
    )
    unique = list({str(a["survey_id"]): a for a in new}.values())
    kept = [*unique, *latest][:LATEST_SCORES]
    average = round(sum(int(s["score"]) for s in kept) / len(kept), 2) if kept else None
    return {**(scores or {}), "client_id": client_id, "latest": kept, "average": average}
