"""Complaints: cases and their workflow, the open-case board, trend report, problem clients.

Every route forwards to the complaints service's `/internal/v1` twin with the same
JSON shapes; the complaints service decides everything.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import Response

from services.gateway.upstream import forward

router = APIRouter(prefix="/api/v1", tags=["complaints"])

CASE_EXAMPLE = {
    "client_id": "c0ffee",
    "kind": "complaint",
    "channel": "phone",
    "topic": "staff_behaviour",
    "text": "The cashier was rude",
    "employee_id": "E7",
    "store_id": "S1",
}


STATUS_HELP = (
    "open, resolved (resolved or closed), all, or one exact status; default: all with "
    "client_id, open for the board (which holds open cases only)"
)


@router.post("/complaints", status_code=201)
async def open_case(
    request: Request, body: dict[str, Any] = Body(..., examples=[CASE_EXAMPLE])
) -> Response:
    return await forward(request, "complaints", "/internal/v1/complaints", json_body=body)


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


@router.get("/complaints/topics")
async def topics(request: Request) -> Response:
    return await forward(request, "complaints", "/internal/v1/complaints/topics")


@router.get("/complaints/{case_id}")
async def get_case(case_id: str, request: Request) -> Response:
    return await forward(request, "complaints", f"/internal/v1/complaints/{case_id}")


@router.post("/complaints/{case_id}/status")
async def change_status(
    case_id: str,
    request: Request,
    body: dict[str, Any] = Body(..., examples=[{"status": "in_progress", "comment": "called"}]),
) -> Response:
    return await forward(
        request, "complaints", f"/internal/v1/complaints/{case_id}/status", json_body=body
    )


@router.post("/complaints/{case_id}/goodwill")
async def goodwill(
    case_id: str, request: Request, body: dict[str, Any] = Body(default_factory=dict)
) -> Response:
    return await forward(
        request, "complaints", f"/internal/v1/complaints/{case_id}/goodwill", json_body=body
    )


@router.get("/reports/complaint-trends")
async def complaint_trends(request: Request) -> Response:
    return await forward(request, "complaints", "/internal/v1/reports/complaint-trends")


@router.get("/problem-clients")
async def problem_clients(request: Request) -> Response:
    return await forward(request, "complaints", "/internal/v1/problem-clients")


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
