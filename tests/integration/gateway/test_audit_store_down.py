"""The audit log asked while the store does not answer: 503 problem+json, never a 500
(the entries still queued cannot be written first, and nothing can be read)."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from services.gateway.audit.client_chunks import ClientChunks
from services.gateway.main import create_app
from tests.conftest import Slate, running
from tests.integration.gateway.conftest import gateway_settings
from tests.support.processes import free_port
from tests.support.staff import login


async def test_audit_of_a_client_while_the_store_is_down_is_a_503_problem(slate: Slate) -> None:
    app = create_app(gateway_settings(slate, auth_cache_s=60))
    dead: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        f"mongodb://127.0.0.1:{free_port()}",
        serverSelectionTimeoutMS=300,  # nothing listens
    )
    async with running(app) as api:
        admin = await login(api)
        assert (await api.get("/api/v1/users", headers=admin)).status_code == 200  # remembered
        audit = app.state.context().audit
        audit.entries, audit.by_client = dead.gone.audit_log, ClientChunks(dead.gone.audit_clients)
        audit.record_later({"who": "admin", "client_ids": ["c-1"]})  # queued: written first
        about = await api.get("/api/v1/audit", params={"client_id": "c-1"}, headers=admin)
        listed = await api.get("/api/v1/audit", headers=admin)
    await dead.close()
    for answer in (about, listed):
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert "store" in answer.json()["detail"]
