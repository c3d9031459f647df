"""Logging in, throttling, roles read from the store, POS keys and the console session."""

from __future__ import annotations

from typing import Any

from pymongo import AsyncMongoClient

from services.gateway.main import create_app
from tests.conftest import Slate, running
from tests.integration.gateway.conftest import gateway_settings
from tests.support.staff import ADMIN_PASSWORD, ADMIN_USERNAME, login


async def test_first_admin_from_the_environment_logs_in_and_manages_users(slate: Slate) -> None:
    async with running(create_app(gateway_settings(slate))) as api:
        admin = await login(api)
        me = await api.get("/api/v1/auth/me", headers=admin)
        created = await api.post(
            "/api/v1/users",
            json={"username": "desk.anna", "password": "anna-password-1", "role": "operator"},
            headers=admin,
        )
        anna = await login(api, "desk.anna", "anna-password-1")
        anna_reads_users = await api.get("/api/v1/users", headers=anna)
    assert me.json() == {"username": ADMIN_USERNAME, "role": "admin"}
    assert created.status_code == 201, created.text
    assert anna_reads_users.status_code == 403
    assert anna_reads_users.headers["content-type"] == "application/problem+json"


async def test_repeated_wrong_passwords_are_throttled_even_with_the_right_one(
    slate: Slate,
) -> None:
    async with running(create_app(gateway_settings(slate, login_max_failures=3))) as api:
        wrong = {"username": ADMIN_USERNAME, "password": "not-the-password"}
        codes = [(await api.post("/api/v1/auth/token", data=wrong)).status_code for _ in range(3)]
        right = {"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
        blocked = await api.post("/api/v1/auth/token", data=right)
    assert codes == [401, 401, 401]
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert blocked.headers["content-type"] == "application/problem+json"


async def test_a_disabled_user_is_locked_out_at_once_despite_a_valid_token(slate: Slate) -> None:
    async with running(create_app(gateway_settings(slate))) as api:
        admin = await login(api)
        await api.post(
            "/api/v1/users",
            json={"username": "leaver", "password": "leaver-password", "role": "manager"},
            headers=admin,
        )
        leaver = await login(api, "leaver", "leaver-password")
        before = await api.get("/api/v1/auth/me", headers=leaver)
        await api.patch("/api/v1/users/leaver", json={"active": False}, headers=admin)
        after = await api.get("/api/v1/auth/me", headers=leaver)
    assert before.status_code == 200
    assert after.status_code == 401


async def test_pos_key_is_shown_once_and_stored_only_as_a_hash(
    slate: Slate, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    async with running(create_app(gateway_settings(slate))) as api:
        created = await api.post(
            "/api/v1/pos-keys", json={"store_id": "S1"}, headers=await login(api)
        )
    key = created.json()["key"]
    docs = await mongo[slate.db_name("gateway")]["pos_keys"].find({}).to_list()
    assert created.status_code == 201 and len(docs) == 1
    assert key not in str(docs) and docs[0]["store_id"] == "S1"


async def test_console_login_sets_a_session_cookie_and_pages_need_it(slate: Slate) -> None:
    async with running(create_app(gateway_settings(slate))) as api:
        anonymous = await api.get("/console/")
        logged_in = await api.post(
            "/console/login",
            data={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD, "next": "/console/"},
        )
        cookie = logged_in.cookies.get("clientele_session")
        page = await api.get("/console/")  # the client keeps the cookie
    assert anonymous.status_code == 401 and "Log in" in anonymous.text
    assert logged_in.status_code == 303 and cookie
    assert "httponly" in logged_in.headers["set-cookie"].lower()
    assert page.status_code == 200 and "Find a client" in page.text
