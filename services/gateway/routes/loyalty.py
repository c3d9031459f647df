"""Loyalty: bonus ledgers, the POS quote, category rules, economics and employee reports."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import Response

from services.gateway.upstream import forward, pass_on

router = APIRouter(prefix="/api/v1", tags=["loyalty"])

REPORTS: tuple[tuple[str, str, str], ...] = (  # reports and rules, as loyalty answers them
    ("/reports/categories", "/internal/v1/reports/categories", "Profit per category."),
    (
        "/reports/employee-sales",
        "/internal/v1/reports/employees",
        "Weighted sales per employee (loyalty); `/reports/employees` is surveys' quality.",
    ),
    ("/loyalty/rules", "/internal/v1/rules", "The rules of every category."),
)
pass_on(router, "loyalty", REPORTS)  # first: before any /x/{param}


@router.get("/clients/{client_id}/ledger")
async def client_ledger(client_id: str, request: Request) -> Response:
    return await forward(request, "loyalty", f"/internal/v1/clients/{client_id}/ledger")


@router.post("/pos/quote")
async def pos_quote(
    request: Request,
    body: dict[str, Any] = Body(
        ...,
        examples=[
            {
                "card_number": "4000123",
                "lines": [{"sku": "A1", "quantity": "2", "unit_price": "3.50"}],
            }
        ],
        description="Card, phone or client id and the basket; loyalty validates it.",
    ),
) -> Response:
    return await forward(request, "loyalty", "/internal/v1/quote", json_body=body)


@router.get("/reports/clients/{client_id}")
async def client_economics(client_id: str, request: Request) -> Response:
    return await forward(request, "loyalty", f"/internal/v1/reports/clients/{client_id}")


@router.put("/loyalty/rules/{category}")
async def put_rule(category: str, request: Request, body: dict[str, Any] = Body(...)) -> Response:
    return await forward(request, "loyalty", f"/internal/v1/rules/{category}", json_body=body)


@router.post("/loyalty/accounts/{client_id}/adjustments", status_code=201)
async def adjust_bonus(
    client_id: str, request: Request, body: dict[str, Any] = Body(...)
) -> Response:
    path = f"/internal/v1/accounts/{client_id}/adjustments"
    return await forward(request, "loyalty", path, json_body=body)
