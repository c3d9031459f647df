"""Request and response models of the cases routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from services.complaints.cases.model import CaseDraft, Status
from shared.contracts.complaints import CaseKind, Priority


class OpenCaseRequest(CaseDraft):
    """A case staff open; the staff user comes in the `X-Actor` header."""


class StatusChangeRequest(BaseModel):
    status: Status
    comment: str | None = Field(None, max_length=5000)
    founded: bool | None = Field(None, description="on resolving: was the case justified")


class BoardItem(BaseModel):
    id: str
    client_id: str
    kind: CaseKind
    topic: str
    priority: Priority
    status: Status
    opened_at: datetime
    deadline: datetime | None
    escalated: bool


class Board(BaseModel):
    items: list[BoardItem]
    count: int


class Topics(BaseModel):
    topics: list[str]
