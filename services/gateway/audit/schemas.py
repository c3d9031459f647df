"""Response models of the audit log's API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class AuditEntry(BaseModel):
    id: str
    at: datetime
    who: str
    role: str | None = None
    store_id: str | None = None
    action: str
    path: str
    params: dict[str, Any] = Field(default_factory=dict)
    status: int
    result: str
    kind: str = Field("write", description="write, or read (a client shown to staff)")
    client_ids: list[str] = Field(default_factory=list, description="the clients it showed")


class AuditPage(BaseModel):
    entries: list[AuditEntry]
    next_before: str | None = None
