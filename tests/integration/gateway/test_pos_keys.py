"""POS routes take an X-API-Key scoped to one store, never a staff token.

No POS route may exist yet, so the test mounts one under /api/v1/pos/ the way an area
module would; the gateway's central guard must protect it without being told.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Request

from services.gateway.auth.guard import guard
from services.gateway.main import create_app
from tests.conftest import Slate, running
from tests.integration.gateway.conftest import gateway_settings
from tests.support.staff import login

till = APIRouter(prefix="/api/v1")


@till.post("/pos/echo")
async def echo(request: Request, body: dict[str, Any] = Body(...)) -> dict[str, Any]:
    return {"store": request.state.caller.store_id, "body": body}


async def test_pos_key_works_only_for_its_own_store_and_writes_are_audited(slate: Slate) -> None:
    app = create_app(gateway_settings(slate))
    app.include_router(till, dependencies=[Depends(guard)])
    async with running(app) as api:
        admin = await login(api)
        key = (await api.post("/api/v1/pos-keys", json={"store_id": "S1"}, headers=admin)).json()
        as_till = {"X-API-Key": key["key"]}
        own = await api.post("/api/v1/pos/echo", json={"store_id": "S1"}, headers=as_till)
        other = await api.post("/api/v1/pos/echo", json={"store_id": "S2"}, headers=as_till)
        no_key = await api.post("/api/v1/pos/echo", json={"store_id": "S1"})
        staff = await api.post("/api/v1/pos/echo", json={"store_id": "S1"}, headers=admin)
        forged = await api.post(
            "/api/v1/pos/echo", json={"store_id": "S1"}, headers={"X-API-Key": "pos_guess"}
        )
        audit = (await api.get("/api/v1/audit", headers=admin)).json()["entries"]
    assert own.status_code == 200 and own.json()["store"] == "S1"
    assert other.status_code == 403
    assert [no_key.status_code, staff.status_code, forged.status_code] == [401, 401, 401]
    till_writes = [(e["who"], e["store_id"], e["status"]) for e in audit if e["store_id"]]
    assert till_writes == [
        (f"pos-key:{key['key_id']}", "S1", 403),
        (f"pos-key:{key['key_id']}", "S1", 200),
    ]
