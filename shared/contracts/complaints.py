"""Events the complaints service publishes (keyed by client id; trends by topic)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from shared.contracts.base import CurrencyCode, Event, Money

CaseKind = Literal["complaint", "claim", "suggestion"]
Priority = Literal["low", "normal", "high", "critical"]


class ComplaintFiled(Event):
    TOPIC: ClassVar[str] = "complaint.filed"

    complaint_id: str = Field(min_length=1)
    client_id: str = Field(min_length=1)
    kind: CaseKind
    channel: str
    topic: str
    priority: Priority
    employee_id: str | None = None
    store_id: str | None = None
    purchase_id: str | None = None
    survey_id: str | None = Field(None, description="set when a low survey score opened it")
    opened_at: datetime | None = Field(None, description="when the case was received")
    client_category: str | None = Field(None, description="the client's category then")
    client_tier: str | None = Field(None, description="the client's loyalty tier then")

    def partition_key(self) -> str:
        return self.client_id


class ComplaintEscalated(Event):
    TOPIC: ClassVar[str] = "complaint.escalated"

    complaint_id: str = Field(min_length=1)
    client_id: str = Field(min_length=1)
    reason: str
    priority: Priority
    manager_id: str | None = None
    breach: str | None = Field(
        None, description="the SLA deadline missed ('first_response', 'resolution'), if any"
    )
    deadline: datetime | None = None

    def partition_key(self) -> str:
        return self.client_id


class ComplaintResolved(Event):
    TOPIC: ClassVar[str] = "complaint.resolved"

    complaint_id: str = Field(min_length=1)
    client_id: str = Field(min_length=1)
    resolution: str
    founded: bool | None = Field(None, description="was the complaint justified")
    employee_id: str | None = None

    def partition_key(self) -> str:
        return self.client_id


class GoodwillGranted(Event):
    """A goodwill bonus loyalty credits to the client."""

    TOPIC: ClassVar[str] = "goodwill.granted"

    grant_id: str = Field(min_length=1)
    client_id: str = Field(min_length=1)
    amount: Money = Field(gt=0)
    currency: CurrencyCode
    reason: str
    complaint_id: str | None = None

    def partition_key(self) -> str:
        return self.client_id


class ComplaintTrendDetected(Event):
    TOPIC: ClassVar[str] = "complaint.trend_detected"

    topic: str
    segment: str = Field(description="e.g. 'all', 'category:vip', 'store:S1'")
    week: str = Field(description="ISO week, e.g. 2026-W47")
    count: int
    baseline: float

    def partition_key(self) -> str:
        return f"{self.topic}|{self.segment}"
