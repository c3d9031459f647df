"""Request and response models of the template routes."""

from __future__ import annotations

from pydantic import BaseModel, Field


class TemplateRequest(BaseModel):
    text: str = Field(min_length=1, max_length=480)


class TemplateResponse(BaseModel):
    kind: str
    language: str
    text: str
    placeholders: list[str]
