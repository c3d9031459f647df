"""Events the surveys service publishes (keyed by client id)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from shared.contracts.base import Event


class SurveyRequested(Event):
    TOPIC: ClassVar[str] = "survey.requested"

    survey_id: str = Field(min_length=1)
    client_id: str = Field(min_length=1)
    employee_id: str | None = None
    store_id: str | None = None
    purchase_id: str | None = None

    def partition_key(self) -> str:
        return self.client_id


class SurveyAnswered(Event):
    TOPIC: ClassVar[str] = "survey.answered"

    survey_id: str = Field(min_length=1)
    client_id: str = Field(min_length=1)
    employee_id: str | None = None
    store_id: str | None = None
    category: str | None = None
    score: int = Field(ge=0, le=10)
    comment: str | None = None
    visited_at: datetime | None = Field(
        None, description="when the rated visit happened (the purchase's occurred_at)"
    )

    def partition_key(self) -> str:
        return self.client_id
