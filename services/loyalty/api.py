"""Loyalty's internal HTTP routes."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from services.loyalty import handlers
from services.loyalty.model import AccountNotFound
from services.loyalty.repository import AccountRepository
from services.loyalty.schemas import AccountResponse
from shared.service import ServiceRuntime

router = APIRouter(prefix="/internal/v1", tags=["accounts"])


@router.get("/accounts/{client_id}", response_model=AccountResponse)
async def get_account(client_id: str, request: Request) -> AccountResponse:
    runtime: ServiceRuntime = request.app.state.runtime
    try:
        account = await handlers.get_account(AccountRepository(runtime.db), client_id)
    except AccountNotFound as exc:
        raise HTTPException(404, detail=f"no bonus account for client {client_id}") from exc
    return AccountResponse(**account.model_dump())
