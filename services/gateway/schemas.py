"""Response models of the gateway's public API that are the gateway's own."""

from __future__ import annotations

from pydantic import BaseModel


class Problem(BaseModel):
    """RFC 9457 problem details: every error the gateway answers has this shape."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
