"""Response models of the ratings routes (reports and a client's scores)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from services.surveys.ratings.model import Rating


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
