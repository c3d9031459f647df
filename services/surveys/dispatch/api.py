"""Outbound messages for staff, and sending what is due on demand."""

from __future__ import annotations

from fastapi import APIRouter, Query

from services.surveys.bootstrap import Ctx
from services.surveys.dispatch import handlers
from services.surveys.dispatch.schemas import MessageResponse, SendDueRun
from shared.problems import NotFound

router = APIRouter(prefix="/internal/v1", tags=["surveys"])


@router.get("/clients/{client_id}/messages", response_model=list[MessageResponse])
async def client_messages(client_id: str, ctx: Ctx) -> list[MessageResponse]:
    """Every message to a client, sent or skipped, with why (staff view; scans)."""
    docs = await ctx.messages.of_client(client_id)
    return [MessageResponse.of(d) for d in sorted(docs, key=lambda d: d["created_at"])]


@router.get("/messages/{message_id}", response_model=MessageResponse)
async def get_message(message_id: str, ctx: Ctx) -> MessageResponse:
    doc = await ctx.messages.get(message_id)
    if doc is None:
        raise NotFound(f"no message {message_id}")
    return MessageResponse.of(doc)


@router.post("/jobs/send-due", response_model=SendDueRun)
async def send_due(ctx: Ctx, limit: int = Query(100, ge=1, le=10_000)) -> SendDueRun:
    """Send up to `limit` messages that are due now, as the periodic dispatcher would
    (the same claims: running both at once sends nothing twice)."""
    return SendDueRun(**await handlers.send_due_batch(ctx, limit))
