"""`clientele users ...` and `clientele pos-keys ...`: staff accounts and POS keys
(`clientele privacy ...`: privacy/cli.py).

Settings come from the environment like the gateway's (MONGODB_URL, GATEWAY_MONGODB_DB).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer

from services.gateway.auth import handlers as handlers_auth
from services.gateway.auth.model import Role, WeakCredentials
from services.gateway.auth.repository import Db, PosKeyRepository, StaffRepository, UserExists
from services.gateway.config import GatewaySettings
from services.gateway.privacy.cli import privacy
from shared.store.mongo import create_mongo_client

COMMAND_NAMES = ("users", "pos-keys", "privacy")
users = typer.Typer(help="Staff accounts of the gateway.", no_args_is_help=True)
pos_keys = typer.Typer(help="API keys for POS systems, one per store.", no_args_is_help=True)
app = users

T = TypeVar("T")


def command_app(name: str) -> typer.Typer:
    """The sub-command group mounted as `clientele <name>`."""
    return {"users": users, "pos-keys": pos_keys, "privacy": privacy}[name]


def _with_store(action: Callable[[Db], Awaitable[T]]) -> T:
    settings = GatewaySettings()

    async def run() -> T:
        mongo = create_mongo_client(settings.mongodb_url, "clientele-cli")
        try:
            return await action(mongo[settings.mongodb_db])
        finally:
            await mongo.close()

    return asyncio.run(run())


@users.command("create")
def create_user(
    username: str,
    role: Annotated[Role, typer.Option(help="operator, manager or admin")] = Role.operator,
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
) -> None:
    """Create a staff account (the password is asked for unless --password is given)."""
    try:
        user = _with_store(
            lambda db: handlers_auth.create_user(StaffRepository(db), username, password, role)
        )
    except (WeakCredentials, UserExists) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"created {user.username} ({user.role.value})")


@users.command("list")
def list_users() -> None:
    """List staff accounts."""
    for user in _with_store(lambda db: StaffRepository(db).list()):
        state = "" if user.active else " (disabled)"
        typer.echo(f"{user.username}\t{user.role.value}{state}")


@pos_keys.command("create")
def create_pos_key(
    store: Annotated[str, typer.Option(help="The store the key may act for, e.g. S1")],
    label: Annotated[str, typer.Option(help="What the key is for")] = "",
) -> None:
    """Create an API key for a POS system; it is printed once and only its hash is kept."""
    key, doc = _with_store(
        lambda db: handlers_auth.create_pos_key(PosKeyRepository(db), store, label, "cli")
    )
    typer.echo(f"key_id {doc['key_id']} for store {store}; send it as X-API-Key:")
    typer.echo(key)
