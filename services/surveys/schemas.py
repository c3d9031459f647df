"""Request and response models of surveys' internal API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from services.surveys.model_ratings import Rating


class KnownClientResponse(BaseModel):
    client_id: str
    name: str
    phone: str | None
    category: str = "regular"
    language: str | None = None
    sms_consent: bool = False
    erased: bool = False
    merged_into: str | None = None


class LatestScore(BaseModel):
    survey_id: str
    score: int
    comment: str | None = None
    employee_id: str | None = None
    store_id: str | None = None
    at: datetime


class ClientScoresResponse(BaseModel):
    client_id: str
    latest: list[LatestScore]
    average: float | None = Field(None, description="of the latest scores")


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


class InboundResult(BaseModel):
    id: str
    status: str = Field(description="answered, unparsed, unmatched or opted_out")
    survey_id: str | None = None
    score: int | None = None


class TemplateRequest(BaseModel):
    text: str = Field(min_length=1, max_length=480)


class TemplateResponse(BaseModel):
    kind: str
    language: str
    text: str
    placeholders: list[str]


class NameDayRun(BaseModel):
    day: str
    planned: int


class SendDueRun(BaseModel):
    """One batch of `POST /internal/v1/jobs/send-due`: outcomes and what is still due."""

    sent: int
    skipped: int
    failed: int
    deferred: int
    remaining: int


class RatingResponse(BaseModel):
    subject: str
    period: str
    count: int
    average: float | None
    nps: float | None
    csat: float | None
    promoters: int
    passives: int
    detractors: int

    @classmethod
    def of(cls, r: Rating) -> RatingResponse:
        return cls(**r.model_dump(), average=r.average, nps=r.nps, csat=r.csat)


class WeeklySeriesResponse(BaseModel):
    subject: str
    weeks: list[RatingResponse]


class EmployeeQuality(BaseModel):
    employee_id: str
    quality_index: float | None = Field(None, description="None: too few answers to take part")
    answers: int
    average: float | None
    nps: float | None
    csat: float | None
    complaints: int
    complaints_founded: int
    rank: int | None = None


class EmployeeOfTheMonthReport(BaseModel):
    month: str
    best_employee: str | None
    formula: str
    min_answers: int
    employees: list[EmployeeQuality]
