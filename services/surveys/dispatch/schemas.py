"""Response models of the message and send-due routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class MessageResponse(BaseModel):
    id: str
    kind: str
    client_id: str | None
    status: str = Field(description="scheduled, sent, skipped, failed or answered")
    reason: str | None = Field(None, description="why it was skipped or failed")
    text: str | None
    send_after: datetime | None = None
    sent_at: datetime | None = None
    employee_id: str | None = None
    store_id: str | None = None
    answer: dict[str, Any] | None = None
    failures: list[dict[str, Any]] = Field(default_factory=list)

    @classmethod
    def of(cls, doc: dict[str, Any]) -> MessageResponse:
        return cls.model_validate(doc | {"id": doc["_id"]})


class SendDueRun(BaseModel):
    """One batch of `POST /internal/v1/jobs/send-due`: outcomes and what is still due."""

    sent: int
    skipped: int
    failed: int
    deferred: int
    remaining: int
