"""The SMS provider's inbound webhook (the gateway hands it on)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from services.surveys.answers import handlers
from services.surveys.answers.schemas import InboundResult
from services.surveys.answers.signature import HEADER
from services.surveys.bootstrap import Ctx

router = APIRouter(prefix="/internal/v1", tags=["surveys"])


@router.post("/sms/inbound", response_model=InboundResult)
async def sms_inbound(request: Request, ctx: Ctx) -> InboundResult:
    """The SMS provider's webhook (signed; see docs/surveys.md for the scheme)."""
    body = await request.body()
    result = await handlers.receive_sms(
        ctx, body, request.headers.get("content-type", ""), request.headers.get(HEADER)
    )
    return InboundResult(**result)
