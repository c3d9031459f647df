"""The complaints domain: what it knows of a client (a projection of registry events)."""

from __future__ import annotations

from pydantic import BaseModel


class KnownClient(BaseModel):
    client_id: str
    name: str
    phone: str | None = None
