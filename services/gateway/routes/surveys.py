"""Surveys' reports and templates: NPS and ratings, employee of the month, client scores."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import Response

from services.gateway.upstream import forward

router = APIRouter(prefix="/api/v1", tags=["surveys"])


@router.get("/reports/nps")
async def nps(request: Request) -> Response:
    """`?subject=all|employee:<id>|store:<id>|category:<name>&period=all|YYYY-MM|YYYY-Www`."""
    return await forward(request, "surveys", "/internal/v1/reports/nps")


@router.get("/reports/nps/weekly")
async def nps_weekly(request: Request) -> Response:
    """`?subject=...&weeks=8`: the weekly trend, oldest first."""
    return await forward(request, "surveys", "/internal/v1/reports/nps/weekly")


@router.get("/reports/nps/breakdown")
async def nps_breakdown(request: Request) -> Response:
    """`?kind=employee|store|category&period=...`: every subject with answers."""
    return await forward(request, "surveys", "/internal/v1/reports/nps/breakdown")


@router.get("/reports/employees")
async def employees(request: Request) -> Response:
    """`?month=YYYY-MM`: quality index per employee, the employee of the month, the formula."""
    return await forward(request, "surveys", "/internal/v1/reports/employees")


@router.get("/clients/{client_id}/scores")
async def client_scores(client_id: str, request: Request) -> Response:
    return await forward(request, "surveys", f"/internal/v1/clients/{client_id}/scores")


@router.get("/clients/{client_id}/messages")
async def client_messages(client_id: str, request: Request) -> Response:
    """Every SMS to the client, sent or skipped, with the reason."""
    return await forward(request, "surveys", f"/internal/v1/clients/{client_id}/messages")


@router.get("/surveys/templates")
async def templates(request: Request) -> Response:
    return await forward(request, "surveys", "/internal/v1/templates")


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
