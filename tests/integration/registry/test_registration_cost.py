"""What one registration costs in store round trips (FerretDB charges milliseconds for
each): name buckets, identity keys, the outbox marker, the client, the flush."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo import AsyncMongoClient, monitoring

import shared.service
from services.registry.main import create_app
from tests.conftest import Slate, running
from tests.integration.registry.conftest import register, registry_settings


class Commands(monitoring.CommandListener):
    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        collection = str(event.command.get(event.command_name, ""))
        self.seen.append((event.command_name, collection))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def test_a_registration_costs_twelve_store_round_trips_at_most(
    slate: Slate, monkeypatch: pytest.MonkeyPatch
) -> None:
    commands = Commands()

    def listened(url: str, app_name: str) -> AsyncMongoClient[dict[str, Any]]:
        return AsyncMongoClient(
            url,
            appname=app_name,
            tz_aware=True,
            uuidRepresentation="standard",
            event_listeners=[commands],
        )

    monkeypatch.setattr(shared.service, "create_mongo_client", listened)
    async with running(create_app(registry_settings(slate))) as api:
        await register(api, name="Warm Up", phone="+49 30 9999999")
        commands.seen.clear()
        await register(api, name="Ada Lovelace", phone="+49 30 1234567")
        spent = [c for c in commands.seen if c != ("find", "outbox")]  # the relay's sweep
    assert len(spent) <= 12, spent
    # The flush pulls the published events and learns what is left in one round trip.
    assert [c for c in spent if c[1] == "clients"] == [
        ("insert", "clients"),
        ("findAndModify", "clients"),
    ]
