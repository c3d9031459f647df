"""Surveys' reports and templates: NPS and ratings, employee of the month, client scores."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import Response

from services.gateway.upstream import forward, pass_on

router = APIRouter(prefix="/api/v1", tags=["surveys"])

REPORTS: tuple[tuple[str, str, str], ...] = (  # reports and templates, as surveys answers them
    (
        "/reports/nps",
        "/internal/v1/reports/nps",
        "`?subject=all|employee:<id>|store:<id>|category:<name>&period=all|YYYY-MM|YYYY-Www`.",
    ),
    (
        "/reports/nps/weekly",
        "/internal/v1/reports/nps/weekly",
        "`?subject=...&weeks=8`: the weekly trend, oldest first.",
    ),
    (
        "/reports/nps/breakdown",
        "/internal/v1/reports/nps/breakdown",
        "`?kind=employee|store|category&period=...`: every subject with answers.",
    ),
    (
        "/reports/employees",
        "/internal/v1/reports/employees",
        "`?month=YYYY-MM`: quality index per employee, the employee of the month, the formula.",
    ),
    ("/surveys/templates", "/internal/v1/templates", "Message texts per kind and language."),
)
pass_on(router, "surveys", REPORTS)  # first: before any /x/{param}


@router.get("/clients/{client_id}/scores")
async def client_scores(client_id: str, request: Request) -> Response:
    return await forward(request, "surveys", f"/internal/v1/clients/{client_id}/scores")


@router.get("/clients/{client_id}/messages")
async def client_messages(client_id: str, request: Request) -> Response:
    """Every SMS to the client, sent or skipped, with the reason."""
    return await forward(request, "surveys", f"/internal/v1/clients/{client_id}/messages")


@router.put("/surveys/templates/{kind}/{language}")
async def put_template(
    kind: str,
    language: str,
    request: Request,
    body: dict[str, Any] = Body(..., examples=[{"text": "Rate {store} from 0 to 10"}]),
) -> Response:
    return await forward(
        request, "surveys", f"/internal/v1/templates/{kind}/{language}", json_body=body
    )
