"""Request and response models of the problem-client routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class ConfirmProblemRequest(BaseModel):
    reason: str | None = Field(None, max_length=1000)


class Proposal(BaseModel):
    client_id: str
    client_name: str | None = None
    category: str | None = None
    status: str
    reasons: list[str]
    evidence: dict[str, list[str]]
    updated_at: datetime | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
