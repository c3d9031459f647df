"""Request and response models of the gateway's public API (v1)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RegisterClient(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["Ada Lovelace"])
    phone: str | None = Field(None, max_length=40, examples=["+49 30 1234567"])


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
