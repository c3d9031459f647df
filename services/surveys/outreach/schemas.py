"""Response model of the name-day job route."""

from __future__ import annotations

from pydantic import BaseModel


class NameDayRun(BaseModel):
    day: str
    planned: int
