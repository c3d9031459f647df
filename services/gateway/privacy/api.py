"""A client's data export (GDPR access and portability): everything every service holds.

Each service answers for its own data (`GET /internal/v1/clients/{id}/export`,
shared/privacy_export.py); the gateway asks all four at once and adds the audit entries
about the client. A service that does not answer makes the whole export fail with 503:
a partial export would look complete. Managers and admins only (model.py); the export
itself is audited like every read of a client (auth.py).
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response

from services.gateway.bootstrap import context_in
from services.gateway.upstream import SERVICES, UnsendableInput, UpstreamDown, Upstreams, problem

router = APIRouter(prefix="/api/v1", tags=["privacy"])

EXPORT_TIMEOUT_S = 60.0  # each service scans its collections (not a hot path)
AUDIT_MONTHS = 36


class ExportFailed(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


async def _part(up: Upstreams, service: str, client_id: str) -> dict[str, Any]:
    path = f"/internal/v1/clients/{client_id}/export"
    try:
        response = await up.call(service, "GET", path, timeout=EXPORT_TIMEOUT_S)
    except UnsendableInput as exc:
        raise ExportFailed(422, str(exc)) from exc
    except UpstreamDown as exc:
        raise ExportFailed(503, f"the {service} service does not answer; try again") from exc
    if response.status_code == 404 and service == "registry":
        raise ExportFailed(404, f"no client {client_id}")
    if response.status_code != 200:
        detail = f"the {service} service could not export ({response.status_code}); try again"
        raise ExportFailed(503, detail)
    body: dict[str, Any] = response.json()
    return body


async def collect_export(up: Upstreams, client_id: str) -> dict[str, Any]:
    """Every service's part, or `ExportFailed` (the registry's 404 first, then the first
    service that failed)."""
    parts = await asyncio.gather(
        *(_part(up, s, client_id) for s in SERVICES), return_exceptions=True
    )
    failures = [p for p in parts if isinstance(p, BaseException)]
    known = [f for f in failures if isinstance(f, ExportFailed)]
    if known:
        raise min(known, key=lambda f: f.status != 404)
    if failures:
        raise failures[0]
    return {s: p for s, p in zip(SERVICES, parts, strict=True)}


@router.get("/clients/{client_id}/export")
async def export_client(client_id: str, request: Request) -> Response:
    """One JSON document with everything Clientele holds about the client."""
    rt = context_in(request)
    try:
        parts = await collect_export(rt.upstreams, client_id)
    except ExportFailed as exc:
        title = {404: "Not found", 422: "Invalid request"}.get(exc.status, "Service unavailable")
        return problem(exc.status, title, exc.detail)
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", client_id)
    body = {
        "client_id": client_id,
        "exported_at": datetime.now(UTC),
        **parts,
        "audit": await rt.audit.about_client(client_id, AUDIT_MONTHS),
    }
    return JSONResponse(
        jsonable_encoder(body),
        headers={"Content-Disposition": f'attachment; filename="client-{safe}.json"'},
    )
