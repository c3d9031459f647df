"""A gateway app in-process on the real store; services it calls are not running
unless a test plugs one in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pymongo import monitoring

from services.gateway.config import GatewaySettings
from tests.conftest import Slate
from tests.support.processes import free_port
from tests.support.staff import ADMIN_PASSWORD, ADMIN_USERNAME, TOKEN_SECRET


def gateway_settings(slate: Slate, **overrides: Any) -> GatewaySettings:
    nobody = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    values: dict[str, Any] = {
        **slate.settings_kwargs("gateway"),
        "registry_url": nobody,
        "loyalty_url": nobody,
        "surveys_url": nobody,
        "complaints_url": nobody,
        "upstream_timeout_s": 2.0,
        "token_secret": TOKEN_SECRET,
        "admin_username": ADMIN_USERNAME,
        "admin_password": ADMIN_PASSWORD,
    }
    return GatewaySettings(**(values | overrides))


class StoreCommands(monitoring.CommandListener):
    """The commands one database received (every client made after registering)."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.seen: list[tuple[str, dict[str, Any]]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.database_name == self.db:
            self.seen.append((event.command_name, dict(event.command)))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def writes_to(self, collections: set[str]) -> list[str]:
        return [
            name
            for name, command in self.seen
            if name in ("insert", "update") and command.get(name) in collections
        ]

    def finds_in(self, collection: str, since: int = 0) -> list[dict[str, Any]]:
        return [
            c["filter"] for n, c in self.seen[since:] if n == "find" and c.get("find") == collection
        ]


@pytest.fixture
def commands(slate: Slate) -> Iterator[StoreCommands]:
    listener = StoreCommands(slate.db_name("gateway"))
    monitoring.register(listener)
    yield listener
    # pymongo has no unregister: the listener stops counting once its test is over.
    listener.db = "-"
