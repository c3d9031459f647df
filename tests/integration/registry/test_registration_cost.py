"""What one registration costs in store round trips (FerretDB charges milliseconds for
each): name buckets, identity keys, the outbox marker, the client, the flush."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from pymongo import AsyncMongoClient, monitoring

import shared.service
from services.registry.main import create_app
from services.registry.search.handlers import compact_names
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


def listening(monkeypatch: pytest.MonkeyPatch, commands: Commands) -> None:
    def listened(url: str, app_name: str) -> AsyncMongoClient[dict[str, Any]]:
        return AsyncMongoClient(
            url,
            appname=app_name,
            tz_aware=True,
            uuidRepresentation="standard",
            event_listeners=[commands],
        )

    monkeypatch.setattr(shared.service, "create_mongo_client", listened)


async def test_a_registration_costs_three_store_writes_and_its_names_a_share_of_one_job(
    slate: Slate, monkeypatch: pytest.MonkeyPatch
) -> None:
    commands = Commands()
    listening(monkeypatch, commands)
    app = create_app(registry_settings(slate, names_interval_s=3600))  # the job: by hand
    async with running(app) as api:
        for i in range(3):
            await register(api, name=f"Warm Up {i}", phone=f"+49 30 999999{i}")
        commands.seen.clear()
        await register(api, name="Ada Lovelace", phone="+49 30 1234567")
        spent = [c for c in commands.seen if c != ("find", "outbox")]  # the relay's sweep
        # The keys (the uniqueness check), the name entry carrying the event (its
        # outbox marker), the client; the event is published from memory, no flush.
        assert spent == [
            ("insert", "lookups"),
            ("insert", "names_recent"),
            ("insert", "clients"),
        ]
        await compact_names(app.state.context())  # the job has filed these buckets once
        for i in range(20):
            await register(api, name=f"Ada Lovelace {i}", phone=f"+49 30 12345{i:02d}")
        commands.seen.clear()
        await compact_names(app.state.context())
        job = [c for c in commands.seen if c not in (("find", "outbox"), ("ping", "1"))]
        left = await app.state.context().names.pending()
        r = await api.get("/internal/v1/clients", params={"q": "ada lov", "page_size": 100})
    assert left == []
    # For all 20: what is recent, then per bucket (ada, lov) the next chunk, the stub of
    # the one it supersedes and the head (no read: the job remembers what it wrote last),
    # then one delete.
    per_bucket = [("insert", "list_chunks"), ("update", "list_chunks"), ("update", "list_heads")]
    expected = [("find", "names_recent"), *per_bucket * 2, ("delete", "names_recent")]
    assert Counter(job) == Counter(expected), job  # 8 for 20 registrations
    ids = [item["id"] for item in r.json()["items"]]
    assert len(ids) == 21 and len(set(ids)) == 21  # Ada Lovelace and her 20 namesakes
