"""Fixtures: real infrastructure for the session, a clean slate for every test.

Every test gets its own topic prefix and database names, so tests never see each
other's data even though they share one broker and one store.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI
from pymongo import AsyncMongoClient

from tests.support.infra import Infra, infrastructure
from tests.support.kafka import delete_topics
from tests.support.processes import ServiceProcess, free_port

SERVICES = ("registry", "loyalty", "surveys", "complaints", "gateway")


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    with infrastructure() as found:
        print(f"\ninfrastructure from {found.source}: kafka={found.kafka} store={found.mongodb}")
        yield found


@dataclass
class Slate:
    """One test's private names on the shared broker and store."""

    infra: Infra
    tag: str

    @property
    def prefix(self) -> str:
        return f"{self.tag}."

    def topic(self, logical: str) -> str:
        return self.prefix + logical

    def db_name(self, service: str) -> str:
        return f"{self.tag}_{service}"

    def settings_kwargs(self, service: str) -> dict[str, Any]:
        return {
            "kafka_bootstrap_servers": self.infra.kafka,
            "mongodb_url": self.infra.mongodb,
            "topic_prefix": self.prefix,
            "topic_partitions": 3,
            "mongodb_db": self.db_name(service),
            "log_json": False,
            "relay_interval_s": 0.2,
        }

    def env(self, service: str, port: int) -> dict[str, str]:
        up = service.upper()
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.infra.kafka,
            "MONGODB_URL": self.infra.mongodb,
            "CLIENTELE_TOPIC_PREFIX": self.prefix,
            "CLIENTELE_TOPIC_PARTITIONS": "3",
            "LOG_JSON": "true",
            f"{up}_HTTP_PORT": str(port),
            f"{up}_MONGODB_DB": self.db_name(service),
            f"{up}_RELAY_INTERVAL_S": "0.2",
        }


# The services a spawned process calls default to `make run`'s ports (8001-8004): a test
# names those it started, and the rest refuse, even with `make run` up beside the suite
# (a gateway test then read cards through the developer's own services). Only for
# processes the spawner starts: `make run` under test points its gateway itself.
NO_UPSTREAMS = {
    f"{caller}_{callee}_URL": f"http://127.0.0.1:{free_port()}"
    for caller, callee in [
        ("GATEWAY", "REGISTRY"),
        ("GATEWAY", "LOYALTY"),
        ("GATEWAY", "SURVEYS"),
        ("GATEWAY", "COMPLAINTS"),
        ("COMPLAINTS", "REGISTRY"),
    ]
}


@pytest.fixture
async def slate(infra: Infra) -> AsyncIterator[Slate]:
    s = Slate(infra, f"t{uuid4().hex[:10]}")
    yield s
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb)
    try:
        for service in SERVICES:
            await client.drop_database(s.db_name(service))
    finally:
        await client.close()
    # Thousands of leftover test partitions make a broker restart take minutes.
    await delete_topics(infra.kafka, s.prefix)


@pytest.fixture
async def mongo(infra: Infra) -> AsyncIterator[AsyncMongoClient[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb, tz_aware=True)
    yield client
    await client.close()


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run an app's lifespan (store, broker, relay) in this loop and talk to it over ASGI."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield client


@contextmanager
def spawner(slate: Slate, tmp_path: Path) -> Iterator[Callable[..., ServiceProcess]]:
    """Start services as real processes on `slate`; all are stopped on exit."""
    started: list[ServiceProcess] = []

    def start(name: str, extra_env: dict[str, str] | None = None) -> ServiceProcess:
        port = free_port()
        env = NO_UPSTREAMS | slate.env(name, port) | (extra_env or {})
        # Replicas of one service write their own logs: an early exit must show its cause.
        n = sum(1 for p in started if p.name == name)
        log = tmp_path / (f"{name}.log" if n == 0 else f"{name}-{n + 1}.log")
        process = ServiceProcess(name, env, log, port)
        started.append(process)
        return process.start()

    try:
        yield start
    finally:
        for process in started:
            process.stop()


@pytest.fixture
def spawn(slate: Slate, tmp_path: Path) -> Iterator[Callable[..., ServiceProcess]]:
    """Start services as real processes; all are stopped at the end of the test."""
    with spawner(slate, tmp_path) as start:
        yield start
