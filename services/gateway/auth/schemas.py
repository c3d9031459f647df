"""Request / response models of login, staff users and POS keys."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from services.gateway.auth.model import Role


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
