"""Every forwarding route of the gateway passes a service's refusal on unchanged.

All five services run as processes. For each route the gateway mounts from
`services/gateway/routes/`, one row sends a request the owning service refuses (or,
for a route that cannot be refused, a plain one), once straight to the service and
once through the gateway: the gateway must answer with the same status, the same
detail and every extra field the service gave (allowed transitions,
`existing_client_id`, ...), as an RFC 9457 problem document. A service's own
`status` member (a case's or client's state) travels as `current_status`.

A new forwarding route without a row here fails `test_every_route_has_a_row`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi.routing import APIRoute

from services.gateway.routes import all_routers
from tests.support.processes import ServiceProcess
from tests.support.stack import whole_stack
from tests.support.staff import login

PROBLEM = "application/problem+json"


@dataclass(frozen=True)
class Row:
    """`route` as the gateway declares it; `path`/`internal` with `{x}` filled from setup."""

    route: str
    path: str
    service: str
    internal: str
    status: int  # what the service answers; 2xx rows are routes nothing can refuse
    json: Any = None
    params: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


def rows() -> list[Row]:
    """Refusals per route: unknown ids (404), bad input (422), state conflicts (409)."""
    reg, loy, sur, com = "registry", "loyalty", "surveys", "complaints"
    return [
        Row("GET /api/v1/categories", "/categories", reg, "/categories", 200),
        Row("POST /api/v1/categories", "/categories", reg, "/categories", 409,
            json={"code": "vip", "name": "VIP again"}),
        Row("GET /api/v1/tags", "/tags", reg, "/tags", 200),
        Row("POST /api/v1/tags", "/tags", reg, "/tags", 422, json={"code": "x y", "name": ""}),
        Row("POST /api/v1/clients", "/clients", reg, "/clients", 409,
            json={"name": "Someone Else", "phone": "{phone}"}),
        Row("GET /api/v1/clients", "/clients", reg, "/clients", 422, params={"page": "0"}),
        Row("GET /api/v1/clients/{client_id}", "/clients/nope", reg, "/clients/nope", 404),
        Row("PATCH /api/v1/clients/{client_id}", "/clients/{client}", reg, "/clients/{client}",
            422, json={"category": "no-such-category", "reason": "test"}),
        Row("POST /api/v1/clients/{client_id}/cards", "/clients/{client}/cards", reg,
            "/clients/{client}/cards", 422, json={"card_number": "not a card"}),
        Row("POST /api/v1/clients/{client_id}/cards/{number}/{action}",
            "/clients/{client}/cards/{blocked}/replace", reg,
            "/clients/{client}/cards/{blocked}/replace", 409, json={"reason": "lost"}),
        Row("POST /api/v1/clients/{client_id}/{action}", "/clients/{merged}/merge", reg,
            "/clients/{merged}/merge", 409, json={"survivor_id": "{client}"}),
        Row("GET /api/v1/clients/{client_id}/export", "/clients/nope/export", reg,
            "/clients/nope/export", 404),
        Row("GET /api/v1/managers/{manager_id}/clients", "/managers/E404/clients", reg,
            "/managers/E404/clients", 200),
        Row("POST /api/v1/complaints", "/complaints", com, "/complaints", 422,
            json={"client_id": "{client}", "channel": "phone", "topic": "no_such_topic"}),
        Row("GET /api/v1/complaints", "/complaints", com, "/complaints", 422,
            params={"sort": "sideways"}),
        Row("GET /api/v1/complaints/topics", "/complaints/topics", com, "/complaints/topics",
            200),
        Row("GET /api/v1/complaints/{case_id}", "/complaints/nope", com, "/complaints/nope", 404),
        Row("POST /api/v1/complaints/{case_id}/status", "/complaints/{case}/status", com,
            "/complaints/{case}/status", 409, json={"status": "closed"}),
        Row("POST /api/v1/complaints/{case_id}/goodwill", "/complaints/nope/goodwill", com,
            "/complaints/nope/goodwill", 404, json={}),
        Row("GET /api/v1/reports/complaint-trends", "/reports/complaint-trends", com,
            "/reports/complaint-trends", 422, params={"week": "last week"}),
        Row("GET /api/v1/problem-clients", "/problem-clients", com, "/problem-clients", 200),
        Row("POST /api/v1/problem-clients/{client_id}/confirm",
            "/problem-clients/{client}/confirm", com, "/problem-clients/{client}/confirm", 404,
            json={}),
        Row("POST /api/v1/problem-clients/{client_id}/dismiss",
            "/problem-clients/{client}/dismiss", com, "/problem-clients/{client}/dismiss", 404),
        Row("GET /api/v1/clients/{client_id}/ledger", "/clients/nope/ledger", loy,
            "/clients/nope/ledger", 404),
        Row("POST /api/v1/pos/quote", "/pos/quote", loy, "/quote", 404,
            json={"card_number": "4000999999999",
                  "lines": [{"sku": "A1", "quantity": "1", "unit_price": "3.50"}]}),
        Row("GET /api/v1/reports/categories", "/reports/categories", loy, "/reports/categories",
            422, params={"from": "2026-05", "to": "2026-01"}),
        Row("GET /api/v1/reports/clients/{client_id}", "/reports/clients/nope", loy,
            "/reports/clients/nope", 422, params={"from": "2026-05", "to": "2026-01"}),
        Row("GET /api/v1/reports/employee-sales", "/reports/employee-sales", loy,
            "/reports/employees", 422, params={"month": "May"}),
        Row("GET /api/v1/loyalty/rules", "/loyalty/rules", loy, "/rules", 200),
        Row("PUT /api/v1/loyalty/rules/{category}", "/loyalty/rules/a%20b", loy, "/rules/a%20b",
            422, json={"accrual_rate": "0.05"}),
        Row("POST /api/v1/loyalty/accounts/{client_id}/adjustments",
            "/loyalty/accounts/{client}/adjustments", loy, "/accounts/{client}/adjustments", 409,
            json={"amount": "-1000000.00", "reason": "test", "actor": "ann", "request_id": "r1"}),
        Row("POST /api/v1/sms/inbound", "/sms/inbound", sur, "/sms/inbound", 401,
            content=b"from=%2B4930&text=10&id=m1",
            headers={"content-type": "application/x-www-form-urlencoded",
                     "X-Clientele-Signature": "t=1,v1=00"}),
        Row("GET /api/v1/reports/nps", "/reports/nps", sur, "/reports/nps", 422,
            params={"period": "someday"}),
        Row("GET /api/v1/reports/nps/weekly", "/reports/nps/weekly", sur, "/reports/nps/weekly",
            422, params={"weeks": "0"}),
        Row("GET /api/v1/reports/nps/breakdown", "/reports/nps/breakdown", sur,
            "/reports/nps/breakdown", 422, params={"kind": "planet"}),
        Row("GET /api/v1/reports/employees", "/reports/employees", sur, "/reports/employees",
            422, params={"month": "May"}),
        Row("GET /api/v1/clients/{client_id}/scores", "/clients/{client}/scores", sur,
            "/clients/{client}/scores", 200),
        Row("GET /api/v1/clients/{client_id}/messages", "/clients/{client}/messages", sur,
            "/clients/{client}/messages", 200),
        Row("GET /api/v1/surveys/templates", "/surveys/templates", sur, "/templates", 200),
        Row("PUT /api/v1/surveys/templates/{kind}/{language}",
            "/surveys/templates/survey/e1", sur, "/templates/survey/e1", 422,
            json={"text": "Rate us from 0 to 10"}),
    ]  # fmt: skip


def gateway_routes() -> set[str]:
    return {
        f"{method} {route.path}"
        for router in all_routers()
        for route in router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }


def test_every_route_has_a_row() -> None:
    assert {r.route for r in rows()} == gateway_routes()


def assert_same_problem(row: Row, direct: httpx.Response, through: httpx.Response) -> None:
    assert direct.status_code == row.status, (row.route, direct.text)
    assert through.status_code == row.status, (row.route, through.text)
    if row.status < 400:
        return
    assert through.headers["content-type"] == PROBLEM, row.route
    up, body = direct.json(), through.json()
    assert body["status"] == row.status and body["title"], (row.route, body)
    if isinstance(up["detail"], str):
        assert body["detail"] == up["detail"], row.route
    else:  # a validation error: every error of the service, and a sentence saying them
        assert body["errors"] == up["detail"] and body["detail"], (row.route, body)
    for key, value in up.items():
        if key not in ("detail", "type", "title"):
            assert body["current_status" if key == "status" else key] == value, (row.route, key)


async def set_up(api: httpx.AsyncClient) -> dict[str, str]:
    """A client, one merged into it, an erased one, a blocked card, a new case."""

    async def post(path: str, body: dict[str, Any], expect: int = 200) -> dict[str, Any]:
        r = await api.post(f"/api/v1{path}", json=body)
        assert r.status_code == expect, r.text
        found: dict[str, Any] = r.json()
        return found

    phone = "+49 30 5550101"
    client = await post("/clients", {"name": "Ada Lovelace", "phone": phone}, 201)
    merged = await post("/clients", {"name": "Ada Lovelace", "phone": "+49 30 5550102"}, 201)
    erased = await post("/clients", {"name": "Bob Erased"}, 201)
    await post(f"/clients/{merged['id']}/merge", {"survivor_id": client["id"]})
    await post(f"/clients/{erased['id']}/erase", {})
    blocked = client["card_number"]
    await post(f"/clients/{client['id']}/cards/{blocked}/block", {"reason": "lost"})
    case_body = {"client_id": client["id"], "channel": "phone", "topic": "staff_behaviour"}
    case = await post("/complaints", case_body, 201)
    for _ in range(100):  # loyalty opens the account when client.registered reaches it
        if (await api.get(f"/api/v1/clients/{client['id']}/ledger")).status_code == 200:
            break
        await asyncio.sleep(0.2)
    return {
        "phone": phone,
        "client": client["id"],
        "merged": merged["id"],
        "erased": erased["id"],
        "blocked": blocked,
        "case": case["id"],
    }


def fill(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, dict):
        return {k: fill(v, names) for k, v in value.items()}
    return value


async def test_every_upstream_problem_reaches_the_caller_whole(
    spawn: Callable[..., ServiceProcess],
) -> None:
    stack = whole_stack(spawn)
    urls = {p.name: p.url for p in (stack.registry, stack.loyalty, stack.surveys, stack.complaints)}
    async with httpx.AsyncClient(base_url=stack.gateway.url, timeout=20) as api:
        staff = await login(api)
        api.headers.update(staff)
        names = await set_up(api)
        key = await api.post("/api/v1/pos-keys", json={"store_id": "S1"})
        del api.headers["Authorization"]
        till = {"X-API-Key": key.json()["key"]}
        failures: list[str] = []
        for row in rows():
            sent = {
                "params": row.params,
                "json": fill(row.json, names),
                "content": row.content,
                "headers": {**row.headers, **(till if "/pos/" in row.path else staff)},
            }
            method = row.route.split()[0]
            path = fill(row.path, names)
            internal = urls[row.service] + "/internal/v1" + fill(row.internal, names)
            direct = await api.request(method, internal, **sent)
            through = await api.request(method, "/api/v1" + path, **sent)
            try:
                assert_same_problem(row, direct, through)
            except AssertionError as exc:
                failures.append(f"{row.route}: {exc}\n  service: {direct.status_code} "
                                f"{direct.text[:300]}\n  gateway: {through.status_code} "
                                f"{through.text[:300]}")  # fmt: skip
    assert not failures, "\n".join(failures)
