"""Request and response models of complaints' internal API."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from services.complaints.model import CaseDraft, Status
from shared.contracts.base import Money
from shared.contracts.complaints import CaseKind, Priority


class KnownClientResponse(BaseModel):
    client_id: str
    name: str | None
    phone: str | None
    category: str
    manager_id: str | None
    tags: list[str]
    tier: str | None
    lifetime_spend: Decimal


class OpenCaseRequest(CaseDraft):
    """A case staff open; the staff user comes in the `X-Actor` header."""


class StatusChangeRequest(BaseModel):
    status: Status
    comment: str | None = Field(None, max_length=5000)
    founded: bool | None = Field(None, description="on resolving: was the case justified")


class GoodwillRequest(BaseModel):
    amount: Money | None = Field(None, gt=0, description="default: the configured amount")
    comment: str | None = Field(None, max_length=1000)


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


class Topics(BaseModel):
    topics: list[str]
