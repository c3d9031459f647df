"""Complaints' internal HTTP routes."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from services.complaints.repository import ClientProjection
from services.complaints.schemas import KnownClientResponse
from shared.service import ServiceRuntime

router = APIRouter(prefix="/internal/v1", tags=["complaints"])


@router.get("/clients/{client_id}", response_model=KnownClientResponse)
async def known_client(client_id: str, request: Request) -> KnownClientResponse:
    runtime: ServiceRuntime = request.app.state.runtime
    client = await ClientProjection(runtime.db).get(client_id)
    if client is None:
        raise HTTPException(404, detail=f"client {client_id} is not known to complaints yet")
    return KnownClientResponse(**client.model_dump())
