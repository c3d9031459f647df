"""Bulk import: streamed batches, a per-row report, one client.registered per new client."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from services.registry.cli import run_import
from services.registry.identity.handlers import registered_event
from services.registry.identity.model import ClientDraft, new_client
from services.registry.imports.sample import write_sample
from shared.store.outbox import outbox_entry
from tests.conftest import Slate
from tests.integration.registry.conftest import distinct_events, register, registry_settings
from tests.support.kafka import eventually, read_topic

ROWS, BAD_EVERY = 2000, 97


async def test_import_reports_bad_rows_and_announces_every_new_client(
    slate: Slate, api: httpx.AsyncClient, tmp_path: Path, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    source, report = tmp_path / "clients.csv", tmp_path / "report.csv"
    bad_lines = write_sample(source, ROWS, BAD_EVERY)
    # A client already registered through the API holds the phone of line 11.
    existing = await register(api, name="Already Here", phone="030 10000010")
    settings = registry_settings(slate, import_batch_size=300)

    summary = await run_import(source, report, settings, check_similar=True, show_progress=False)

    with report.open() as f:
        rows = list(csv.DictReader(f))
    errors = {int(r["row"]): r["reason"] for r in rows if r["kind"] == "error"}
    warnings = [r["reason"] for r in rows if r["kind"] == "warning"]
    assert summary.possible_duplicates == len(warnings) > 0
    assert all(w.startswith("possible duplicate of client ") for w in warnings)
    assert set(errors) == {*bad_lines, 11}
    assert errors[11] == f"phone +493010000010 already belongs to client {existing['id']}"
    assert "check digit is wrong" in errors[bad_lines[0]]  # the first spoiled row: a card
    assert any("'call me'" in reason for reason in errors.values())
    assert any("category 'gold'" in reason for reason in errors.values())
    assert any("(row " in reason for reason in errors.values())  # a duplicate inside the file
    imported = ROWS - len(errors)
    assert (summary.imported, summary.refused, summary.published) == (
        imported,
        len(errors),
        imported,
    )

    records = await read_topic(
        slate.infra.kafka, slate.topic("client.registered"), expect=imported + 1
    )
    events = distinct_events(records)
    assert len(events) == imported + 1  # plus the one registered through the API
    assert await mongo[slate.db_name("registry")].clients.count_documents({}) == imported + 1
    from_file = [e for e in events if e["client_id"] != existing["id"]]
    assert all(e["card_number"] and e["consents"]["sms"]["source"] == "import" for e in from_file)

    found = (await api.get("/internal/v1/clients", params={"q": "030 10000002"})).json()
    assert found["items"][0]["name"] and found["items"][0]["card_number"].startswith("4000")
    by_name = (await api.get("/internal/v1/clients", params={"q": "schmi", "page_size": 5})).json()
    assert by_name["total"] > 5 and len(by_name["items"]) == 5


async def test_a_batch_left_behind_by_a_crashed_import_is_announced_by_the_relay(
    slate: Slate, api: httpx.AsyncClient, mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    db = mongo[slate.db_name("registry")]
    client = new_client(ClientDraft(name="Left Behind"), "DE")
    entry = outbox_entry(registered_event(client))
    # What the import leaves when it dies before publishing: the client with its event,
    # and the batch marker (written first by the import; written last here, because a
    # marker this old is the relay's at once, and a relay run between the two inserts
    # would find no client and drop the marker).
    await db.clients.insert_one(client.to_doc() | {"_outbox": [entry]})
    await db.outbox.insert_one(
        {
            "_id": "clients/batch:crashed",
            "collection": "clients",
            "doc_ids": [client.id],
            "at": datetime.now(UTC) - timedelta(minutes=5),  # the import died long ago
        }
    )

    records = await read_topic(slate.infra.kafka, slate.topic("client.registered"), expect=1)
    assert [e["client_id"] for e in distinct_events(records)] == [client.id]

    async def marker_gone() -> bool:
        return await db.outbox.find_one({"_id": "clients/batch:crashed"}) is None

    await eventually(marker_gone)
