"""The audit log for admins: staff writes and reads of clients, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.gateway.audit.schemas import AuditPage
from services.gateway.bootstrap import Ctx

router = APIRouter(prefix="/api/v1")


@router.get("/audit", response_model=AuditPage, tags=["admin"])
async def audit_log(
    rt: Ctx,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    before: Annotated[str | None, Query(max_length=64)] = None,
    client_id: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    months: Annotated[int, Query(ge=1, le=36)] = 12,
) -> AuditPage:
    """Staff writes and reads of clients, newest first; page with `before=<next_before>`.
    With `client_id`: who looked at or changed this client in the last `months` months."""
    if client_id is not None:
        about = await rt.audit.about_client(client_id, months)
        return AuditPage.model_validate({"entries": about, "next_before": None})
    entries = await rt.audit.page(limit, before)
    next_before = entries[-1]["id"] if len(entries) == limit else None
    return AuditPage.model_validate({"entries": entries, "next_before": next_before})
