"""Complaints: cases and their workflow, the open-case board, trend report, problem clients.

Every route forwards to the complaints service's `/internal/v1` twin with the same
JSON shapes; the complaints service decides everything.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response

from services.gateway.bootstrap import context_in
from services.gateway.clients.handlers import forget_complaints
from services.gateway.upstream import forward, pass_on

router = APIRouter(prefix="/api/v1", tags=["complaints"])

LISTS: tuple[tuple[str, str, str], ...] = (  # lists, as complaints answers them
    ("/complaints/topics", "/internal/v1/complaints/topics", "The topics a case may have."),
    (
        "/reports/complaint-trends",
        "/internal/v1/reports/complaint-trends",
        "Weekly topic counts and rising topics.",
    ),
    ("/problem-clients", "/internal/v1/problem-clients", "Problem-client proposals and decisions."),
)
pass_on(router, "complaints", LISTS)  # first: before any /x/{param}

CASE_EXAMPLE = {
    "client_id": "c0ffee",
    "kind": "complaint",
    "channel": "phone",
    "topic": "staff_behaviour",
    "text": "The cashier was rude",
    "employee_id": "E7",
    "store_id": "S1",
}


async def _changing(request: Request, path: str, body: dict[str, Any]) -> Response:
    """A write to a case: its client's open cases are read again on the next card."""
    response = await forward(request, "complaints", path, json_body=body)
    if response.status_code < 300:
        client_id = _client_of(bytes(response.body)) or body.get("client_id")
        if client_id:
            await forget_complaints(context_in(request).cards, str(client_id))
    return response


def _client_of(answer: bytes) -> str | None:
    try:
        found = json.loads(answer)
    except ValueError:
        return None
    client_id = found.get("client_id") if isinstance(found, dict) else None
    return str(client_id) if client_id else None


STATUS_HELP = (
    "open, resolved (resolved or closed), all, or one exact status; default: all with "
    "client_id, open for the board (which holds open cases only)"
)


@router.post("/complaints", status_code=201)
async def open_case(
    request: Request, body: dict[str, Any] = Body(..., examples=[CASE_EXAMPLE])
) -> Response:
    return await _changing(request, "/internal/v1/complaints", body)


@router.get("/complaints")
async def board(
    request: Request,
    client_id: str | None = None,
    status: str | None = Query(None, description=STATUS_HELP),
    sort: str = Query("deadline", description="deadline or opened"),
) -> Response:
    """Open cases, most urgent deadline first; with `client_id`, one client's cases of
    any status. The query string goes on as it came: complaints validates it."""
    return await forward(request, "complaints", "/internal/v1/complaints")


@router.get("/complaints/{case_id}")
async def get_case(case_id: str, request: Request) -> Response:
    return await forward(request, "complaints", f"/internal/v1/complaints/{case_id}")


@router.post("/complaints/{case_id}/status")
async def change_status(
    case_id: str,
    request: Request,
    body: dict[str, Any] = Body(..., examples=[{"status": "in_progress", "comment": "called"}]),
) -> Response:
    return await _changing(request, f"/internal/v1/complaints/{case_id}/status", body)


@router.post("/complaints/{case_id}/goodwill")
async def goodwill(
    case_id: str, request: Request, body: dict[str, Any] = Body(default_factory=dict)
) -> Response:
    return await _changing(request, f"/internal/v1/complaints/{case_id}/goodwill", body)


@router.post("/problem-clients/{client_id}/confirm")
async def confirm_problem_client(
    client_id: str, request: Request, body: dict[str, Any] = Body(default_factory=dict)
) -> Response:
    return await forward(
        request, "complaints", f"/internal/v1/problem-clients/{client_id}/confirm", json_body=body
    )


@router.post("/problem-clients/{client_id}/dismiss")
async def dismiss_problem_client(client_id: str, request: Request) -> Response:
    return await forward(request, "complaints", f"/internal/v1/problem-clients/{client_id}/dismiss")
