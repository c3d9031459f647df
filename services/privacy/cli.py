"""`clientele privacy verify`: where a client's personal data still exists (mounted by
services/cli.py in the `privacy` group beside the gateway's `export`).

`clientele privacy verify ID` searches every collection of every service database,
the service logs (`make run`'s, or `--log`) and every Kafka topic of this deployment
for the client's name, phones, email, card numbers and birthday. It reads them from
the registry while the client is not erased yet; after an erasure give them with
`--phone/--email/--card/--name/--birthday` (the registry no longer has them).
Settings come from the environment like the services' (`MONGODB_URL`,
`KAFKA_BOOTSTRAP_SERVERS`, `CLIENTELE_TOPIC_PREFIX`, `<SERVICE>_MONGODB_DB`).
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from pymongo import AsyncMongoClient

from services.complaints.config import ComplaintsSettings
from services.gateway.config import GatewaySettings
from services.loyalty.config import LoyaltySettings
from services.privacy.scan import Place, log_files, scan_logs, scan_stores, scan_topics
from services.privacy.traces import PersonalData
from services.registry.config import RegistrySettings
from services.surveys.config import SurveysSettings
from shared.settings import ServiceSettings

SETTINGS = (RegistrySettings, LoyaltySettings, SurveysSettings, ComplaintsSettings, GatewaySettings)


def _run_dir() -> Path:
    return Path(os.environ.get("CLIENTELE_RUN_DIR", Path.home() / ".cache/clientele/run"))


async def _personal_data(
    client: AsyncMongoClient[dict[str, Any]], registry_db: str, given: PersonalData
) -> PersonalData:
    """What was given, or else what the registry holds about the client."""
    if not given.is_empty():
        return given
    doc = await client[registry_db]["clients"].find_one({"_id": given.client_id})
    if doc is None:
        raise typer.BadParameter(f"the registry has no client {given.client_id}")
    found = PersonalData.from_registry(doc)
    if found.is_empty():
        raise typer.BadParameter(
            f"client {given.client_id} is {doc.get('status', 'without personal data')}: "
            "give what to search for with --phone/--email/--card/--name/--birthday"
        )
    return found


async def _find(
    given: PersonalData, logs: list[Path], kafka: bool, timeout_s: float
) -> list[Place]:
    base = ServiceSettings()
    databases = [cls().mongodb_db for cls in SETTINGS]
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(base.mongodb_url, tz_aware=True)
    try:
        pii = await _personal_data(client, databases[0], given)
        places = await scan_stores(client, databases, pii)
    finally:
        await client.close()
    places += scan_logs(log_files(logs, _run_dir()), pii)
    if kafka:
        prefix = base.topic_prefix
        places += await scan_topics(base.kafka_bootstrap_servers, prefix, pii, timeout_s)
    return places


def _report(places: list[Place], strict: bool) -> int:
    for place in places:
        line = f"{place.source:6} {place.where}: {', '.join(place.kinds)}"
        if place.expires is not None:
            line += f" (Kafka retention deletes it by {place.expires:%Y-%m-%d %H:%M} UTC)"
        typer.echo(line)
    erasable = [p for p in places if strict or p.source != "kafka"]
    kafka = [p for p in places if p.source == "kafka"]
    if erasable:
        typer.echo(f"{len(erasable)} place(s) hold the client's personal data")
        return 1
    if kafka:
        last = max((p.expires for p in kafka if p.expires), default=None)
        until = f", the last by {last:%Y-%m-%d %H:%M} UTC" if last else ""
        typer.echo(f"none in stores or logs; {len(kafka)} Kafka record(s) age out{until}")
    else:
        typer.echo(f"no personal data of the client found ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")
    return 0


def verify(
    client_id: str = typer.Argument(..., help="the client's id"),
    phone: list[str] = typer.Option([], "--phone", help="a phone number (any format)"),
    email: list[str] = typer.Option([], "--email"),
    card: list[str] = typer.Option([], "--card", help="a card number"),
    name: list[str] = typer.Option([], "--name", help="the full name"),
    birthday: list[str] = typer.Option([], "--birthday", help="YYYY-MM-DD"),
    log: list[Path] = typer.Option(
        [], "--log", help="a log file or folder (default: the make run logs)"
    ),
    kafka: bool = typer.Option(True, help="also read every Kafka topic of the deployment"),
    strict: bool = typer.Option(
        False, "--strict", help="Kafka records within retention count as found too"
    ),
    timeout_s: float = typer.Option(120.0, help="give up reading Kafka after this long"),
) -> None:
    """List every place holding the client's data; exit 1 if any store or log does.

    Kafka records cannot be edited: they are listed with the time their topic's
    retention deletes them, and fail the check only with --strict."""
    given = PersonalData(
        client_id, tuple(phone), tuple(email), tuple(card), tuple(name), tuple(birthday)
    )
    places = asyncio.run(_find(given, log, kafka, timeout_s))
    raise typer.Exit(_report(places, strict))
