"""Cases' internal HTTP routes: cases, the open-case board and a client's cases.

The public gateway routes (`/api/v1/complaints...`) forward here with the same shapes.
The staff user comes in the `X-Actor` header (the gateway sends it; optional).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query

from services.complaints.bootstrap import Ctx
from services.complaints.cases import handlers
from services.complaints.cases.model import OPEN_STATUSES, Case
from services.complaints.cases.schemas import (
    Board,
    BoardItem,
    OpenCaseRequest,
    StatusChangeRequest,
    Topics,
)
from shared.problems import Invalid

router = APIRouter(prefix="/internal/v1", tags=["complaints"])

Actor = Header(None, alias="X-Actor", description="the staff user acting (sent by the gateway)")
# `open`: new, in_progress, waiting_for_client; `resolved`: resolved or closed (a case is
# closed only after it was resolved); `all`; or one exact workflow status.
StatusFilter = Literal[
    "open", "resolved", "all", "new", "in_progress", "waiting_for_client", "closed"
]
RESOLVED_STATUSES = frozenset({"resolved", "closed"})


@router.post("/complaints", status_code=201, response_model=Case)
async def open_case(body: OpenCaseRequest, ctx: Ctx, actor: str | None = Actor) -> Case:
    case, _ = await handlers.open_case(ctx, body, actor, ctx.clock())
    return case


@router.get("/complaints", response_model=Board)
async def board(
    ctx: Ctx,
    status: Annotated[
        StatusFilter | None, Query(description="a client's: all by default; the board: open")
    ] = None,
    sort: Literal["deadline", "opened"] = "deadline",
    client_id: str | None = None,
) -> Board:
    """Open cases, most urgent deadline first (read from the open-case read model); with
    `client_id`, that client's cases of any status (`status` narrows them)."""
    ctx = ctx
    if client_id is not None:
        cases = filter_status(await ctx.cases.of_client(client_id), status or "all")
        items = [BoardItem(**c.model_dump(), escalated=bool(c.escalations)) for c in cases]
        key = (lambda i: (i.deadline is None, i.deadline)) if sort == "deadline" else None
        items = sorted(items, key=key) if key else sorted(items, key=lambda i: i.opened_at)
        return Board(items=items, count=len(items))
    if status not in (None, "open"):
        raise Invalid("status: the board lists open cases; give client_id to list others")
    entries = await ctx.cases.open_board(sort)
    items = [BoardItem(id=e["_id"], **{k: v for k, v in e.items() if k != "_id"}) for e in entries]
    return Board(items=items, count=len(items))


@router.get("/complaints/topics", response_model=Topics)
async def topics(ctx: Ctx) -> Topics:
    return Topics(topics=ctx.policies.taxonomy)


@router.get("/complaints/{case_id}", response_model=Case)
async def get_case(case_id: str, ctx: Ctx) -> Case:
    return await handlers.get_case(ctx, case_id)


@router.post("/complaints/{case_id}/status", response_model=Case)
async def change_status(
    case_id: str, body: StatusChangeRequest, ctx: Ctx, actor: str | None = Actor
) -> Case:
    """Move the case along new -> in_progress -> waiting_for_client -> resolved -> closed
    (in_progress again reopens); anything else is a 409 listing the allowed statuses."""
    return await handlers.change_status(
        ctx, case_id, body.status, actor, ctx.clock(), body.comment, body.founded
    )


@router.get("/clients/{client_id}/complaints", response_model=list[Case])
async def client_cases(
    client_id: str, ctx: Ctx, status: StatusFilter = Query("open")
) -> list[Case]:
    """A client's cases for the client card (open ones by default), by point reads."""
    return filter_status(await ctx.cases.of_client(client_id), status)


def filter_status(cases: list[Case], status: str) -> list[Case]:
    if status == "all":
        return cases
    if status == "open":
        return [c for c in cases if c.status in OPEN_STATUSES]
    if status == "resolved":
        return [c for c in cases if c.status in RESOLVED_STATUSES]
    return [c for c in cases if c.status == status]
