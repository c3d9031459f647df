"""The guard reads an account once per `auth_cache_s`, hashes passwords only at login,
and still refuses a disabled or demoted account at once."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from pymongo import AsyncMongoClient

from services.gateway.auth.repository import StaffRepository
from services.gateway.main import create_app
from tests.conftest import Slate, running
from tests.integration.gateway.conftest import gateway_settings
from tests.support.kafka import eventually
from tests.support.staff import login

STAFF = {"username": "desk.bob", "password": "bob-password-1", "role": "admin"}


async def admin_and_bob(api: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, str]]:
    """Auth headers of the first admin and of Bob, a staff account that admin creates."""
    admin = await login(api)
    await api.post("/api/v1/users", json=STAFF, headers=admin)
    return admin, await login(api, STAFF["username"], STAFF["password"])


async def test_many_requests_read_the_account_once_and_never_hash_a_password(
    slate: Slate, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []
    hashes: list[str] = []
    find, verify = StaffRepository.find, PasswordHasher.verify

    async def counted_find(self: StaffRepository, username: str) -> Any:
        reads.append(username)
        return await find(self, username)

    def counted_verify(self: PasswordHasher, hash: str, password: str) -> bool:
        hashes.append(hash)
        return verify(self, hash, password)

    monkeypatch.setattr(StaffRepository, "find", counted_find)
    monkeypatch.setattr(PasswordHasher, "verify", counted_verify)
    async with running(create_app(gateway_settings(slate, auth_cache_s=60))) as api:
        admin = await login(api)
        reads.clear()
        hashes_at_login = len(hashes)
        answers = [(await api.get("/api/v1/auth/me", headers=admin)).status_code for _ in range(20)]
    assert answers == [200] * 20
    assert hashes_at_login == 1
    assert hashes == hashes[:1]  # no hashing after the login
    assert len(reads) == 1


async def test_a_demoted_admin_is_refused_admin_routes_at_once(slate: Slate) -> None:
    async with running(create_app(gateway_settings(slate, auth_cache_s=60))) as api:
        admin, bob = await admin_and_bob(api)
        before = await api.get("/api/v1/users", headers=bob)
        await api.patch(
            f"/api/v1/users/{STAFF['username']}", json={"role": "operator"}, headers=admin
        )
        after = await api.get("/api/v1/users", headers=bob)
        still_operator = await api.get("/api/v1/auth/me", headers=bob)
    assert before.status_code == 200
    assert after.status_code == 403
    assert still_operator.json()["role"] == "operator"


async def _disable_in_store(slate: Slate, username: str) -> None:
    """As another gateway replica (or the CLI) would: straight in the store."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(slate.infra.mongodb)
    try:
        users = client[slate.db_name("gateway")]["staff_users"]
        result = await users.update_one({"_id": f"user:{username}"}, {"$set": {"active": False}})
        assert result.modified_count == 1
    finally:
        await client.close()


async def test_an_account_disabled_elsewhere_is_refused_within_the_cache_time(
    slate: Slate,
) -> None:
    async with running(create_app(gateway_settings(slate, auth_cache_s=0.5))) as api:
        _, bob = await admin_and_bob(api)
        assert (await api.get("/api/v1/auth/me", headers=bob)).status_code == 200
        await _disable_in_store(slate, STAFF["username"])

        async def refused() -> bool:
            return (await api.get("/api/v1/auth/me", headers=bob)).status_code == 401

        await eventually(refused, timeout_s=3.0, interval_s=0.05)


async def test_without_the_cache_an_account_disabled_elsewhere_is_refused_at_once(
    slate: Slate,
) -> None:
    async with running(create_app(gateway_settings(slate, auth_cache_s=0))) as api:
        _, bob = await admin_and_bob(api)
        before = await api.get("/api/v1/auth/me", headers=bob)
        await _disable_in_store(slate, STAFF["username"])
        after = await api.get("/api/v1/auth/me", headers=bob)
    assert before.status_code == 200
    assert after.status_code == 401
