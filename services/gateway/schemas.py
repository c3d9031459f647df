"""Request / response models of the gateway's own API (auth, users, keys, audit)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from services.gateway.model import Role


class Problem(BaseModel):
    """RFC 9457 problem details: every error the gateway answers has this shape."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    role: Role


class Me(BaseModel):
    username: str
    role: Role


class NewUser(BaseModel):
    username: str = Field(examples=["desk.anna"])
    password: str = Field(min_length=10, max_length=200)
    role: Role = Role.operator


class UserChange(BaseModel):
    role: Role | None = None
    active: bool | None = None
    password: str | None = Field(None, min_length=10, max_length=200)


class UserResponse(BaseModel):
    username: str
    role: Role
    active: bool
    created_at: datetime | None = None


class NewPosKey(BaseModel):
    store_id: str = Field(min_length=1, max_length=64, examples=["S1"])
    label: str = Field("", max_length=200)


class PosKeyCreated(BaseModel):
    key: str = Field(description="Shown once; only its hash is kept.")
    key_id: str
    store_id: str


class PosKeyInfo(BaseModel):
    key_id: str
    store_id: str
    label: str
    created_by: str
    created_at: datetime
    active: bool


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


class DeadLetter(BaseModel):
    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    reason: str | None
    original_topic: str | None
    key: str | None
    value: str


class DeadLetters(BaseModel):
    topic: str
    letters: list[DeadLetter]
    held: int  # letters the topic holds now, on every partition
    next_before: str | None  # pass as `before` for the next, older page; None at the end
