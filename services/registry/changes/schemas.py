"""Request models of the merge and erase routes (a PATCH body is `model.ClientChanges`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    survivor_id: str = Field(min_length=1, max_length=100)
    actor: str | None = Field(None, max_length=100)


class EraseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    actor: str | None = Field(None, max_length=100)
