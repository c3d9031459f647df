"""Generated from the gateway's route table: nobody in without a login, nobody beyond
their role, and every write in the audit log.

Every route of every router (including ones other areas add later) is checked; the
services behind the gateway are not running, so an authorised call ends in a 4xx/503
from the gateway, which is enough to prove it got past the guard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from services.gateway.auth import handlers as handlers_auth
from services.gateway.auth.model import Access, Role, is_write, rule_for
from services.gateway.main import create_app
from tests.conftest import Slate, running
from tests.integration.gateway.conftest import gateway_settings
from tests.support.staff import login

PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
    ("POST", "/api/v1/auth/token"),
    ("POST", "/api/v1/sms/inbound"),
    ("GET", "/console/login"),
    ("POST", "/console/login"),
}
BELOW = {Role.manager: Role.operator, Role.admin: Role.manager}


@dataclass(frozen=True)
class Endpoint:
    method: str
    template: str

    @property
    def path(self) -> str:
        return re.sub(r"\{[^}]+\}", "x1", self.template)

    def __str__(self) -> str:
        return f"{self.method} {self.template}"


def endpoints(app: FastAPI) -> list[Endpoint]:
    """Every (method, path template) the app answers, including included routers'."""
    found = [
        Endpoint(method, str(ctx.path))
        for ctx in iter_route_contexts(app.routes)
        if isinstance(ctx.original_route, APIRoute)
        for method in sorted(ctx.original_route.methods - {"HEAD"})
    ]
    assert len(found) > 20, found
    return found


async def call(api: httpx.AsyncClient, e: Endpoint, headers: dict[str, str]) -> httpx.Response:
    body = {} if is_write(e.method) else None
    return await api.request(e.method, e.path, json=body, headers=headers)


async def test_only_health_metrics_login_and_the_sms_webhook_are_public(slate: Slate) -> None:
    app = create_app(gateway_settings(slate))
    public = {
        (e.method, e.template)
        for e in endpoints(app)
        if rule_for(e.method, e.template).access is Access.public
    }
    assert public <= PUBLIC
    assert {("GET", "/healthz"), ("POST", "/api/v1/auth/token")} <= public


async def test_every_route_refuses_a_caller_without_a_token(slate: Slate) -> None:
    app = create_app(gateway_settings(slate))
    async with running(app) as api:
        for e in endpoints(app):
            if (e.method, e.template) in PUBLIC:
                continue
            r = await call(api, e, {})
            assert r.status_code == 401, f"{e} answered {r.status_code} without a token"
            bad = await call(api, e, {"Authorization": "Bearer not-a-token"})
            assert bad.status_code == 401, f"{e} accepted a forged token ({bad.status_code})"
            garbled = await api.request(e.method, e.path, content=b"{not json")
            assert garbled.status_code == 401, f"{e} read a body before the login check"


async def test_every_route_refuses_a_role_below_the_one_it_needs(slate: Slate) -> None:
    app = create_app(gateway_settings(slate))
    async with running(app) as api:
        tokens = await staff_tokens(app, api)
        checked = 0
        for e in endpoints(app):
            rule = rule_for(e.method, e.template)
            if rule.access is not Access.staff or rule.role not in BELOW:
                continue
            r = await call(api, e, tokens[BELOW[rule.role]])
            assert r.status_code == 403, f"{e} let a {BELOW[rule.role]} in ({r.status_code})"
            assert r.headers["content-type"].startswith(("application/problem+json", "text/html"))
            checked += 1
        assert checked >= 5


async def test_every_staff_write_is_in_the_audit_log(slate: Slate) -> None:
    app = create_app(gateway_settings(slate))
    async with running(app) as api:
        tokens = await staff_tokens(app, api)
        writes = []
        for e in endpoints(app):
            rule = rule_for(e.method, e.template)
            if rule.access is not Access.staff or not is_write(e.method):
                continue
            r = await call(api, e, tokens[rule.role or Role.operator])
            assert r.status_code not in (401, 403), f"{e}: {r.status_code} {r.text}"
            assert r.status_code < 500 or r.status_code in (502, 503), f"{e}: {r.status_code}"
            writes.append((e, rule.role or Role.operator, r.status_code))
        audit = await api.get("/api/v1/audit?limit=500", headers=tokens[Role.admin])
        assert audit.status_code == 200, audit.text
        logged = {(x["action"], x["who"], x["status"]) for x in audit.json()["entries"]}
    assert len(writes) >= 5
    for e, role, status in writes:
        assert (str(e), f"staff-{role.value}", status) in logged, f"{e} was not audited"


async def staff_tokens(app: FastAPI, api: httpx.AsyncClient) -> dict[Role, dict[str, str]]:
    tokens = {}
    for role in Role:
        name = f"staff-{role.value}"
        await handlers_auth.create_user(app.state.context().staff, name, "a-long-password", role)
        tokens[role] = await login(api, name, "a-long-password")
    return tokens
