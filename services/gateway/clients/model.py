"""The client card: what staff see about one client, and an upstream refusal of it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class UpstreamError(Exception):
    """A service answered with an error the gateway passes on."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"upstream answered {status}")
        self.status = status
        self.body = body


class ClientCard(BaseModel):
    """Everything staff see about one client; parts whose service is down are named."""

    client: dict[str, Any]
    loyalty: dict[str, Any] | None = None
    ledger: Any = None
    complaints: Any = None
    scores: Any = None
    unavailable: list[str] = Field(default_factory=list)
