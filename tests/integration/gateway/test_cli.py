"""`clientele users create` and `clientele pos-keys create` write the gateway's store."""

from __future__ import annotations

import asyncio

from typer.testing import CliRunner

from services.cli import _mount, app
from services.gateway.main import create_app
from tests.conftest import Slate, running
from tests.integration.gateway.conftest import gateway_settings
from tests.support.staff import login


async def test_staff_created_with_the_cli_can_log_in_with_their_role(slate: Slate) -> None:
    _mount()
    env = {"MONGODB_URL": slate.infra.mongodb, "GATEWAY_MONGODB_DB": slate.db_name("gateway")}
    runner = CliRunner()

    def cli(*args: str) -> str:
        done = runner.invoke(app, list(args), env=env)
        assert done.exit_code == 0, done.output
        return done.output

    made = await asyncio.to_thread(
        cli, "users", "create", "m.jones", "--role", "manager", "--password", "jones-password"
    )
    key = await asyncio.to_thread(cli, "pos-keys", "create", "--store", "S9")
    weak = await asyncio.to_thread(
        runner.invoke, app, ["users", "create", "x.y", "--password", "short"], env=env
    )
    async with running(create_app(gateway_settings(slate))) as api:
        me = await api.get("/api/v1/auth/me", headers=await login(api, "m.jones", "jones-password"))
    assert "created m.jones (manager)" in made
    assert "for store S9" in key and key.strip().splitlines()[-1].startswith("pos_")
    assert weak.exit_code == 1 and "at least 10 characters" in weak.output
    assert me.json() == {"username": "m.jones", "role": "manager"}
