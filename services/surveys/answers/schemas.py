"""Response model of the SMS webhook route."""

from __future__ import annotations

from pydantic import BaseModel, Field


class InboundResult(BaseModel):
    id: str
    status: str = Field(description="answered, unparsed, unmatched or opted_out")
    survey_id: str | None = None
    score: int | None = None
