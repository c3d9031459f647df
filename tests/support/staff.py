"""Staff accounts for tests that go through the gateway (which needs a login)."""

from __future__ import annotations

from typing import Any

import httpx

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin-password-1"
TOKEN_SECRET = "test-secret-not-for-production-0123456789"


def admin_env() -> dict[str, str]:
    """Environment for a gateway process: the first admin and a fixed token secret."""
    return {
        "CLIENTELE_ADMIN_USERNAME": ADMIN_USERNAME,
        "CLIENTELE_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "GATEWAY_TOKEN_SECRET": TOKEN_SECRET,
    }


async def login(
    api: httpx.AsyncClient, username: str = ADMIN_USERNAME, password: str = ADMIN_PASSWORD
) -> dict[str, str]:
    """Headers carrying a bearer token for `username`."""
    r = await api.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return {"Authorization": f"Bearer {body['access_token']}"}
