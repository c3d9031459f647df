"""A private Kafka + store for tests that restart them (never the shared instance).

`private_infra` starts `infra/local.sh` on free ports with a fresh state dir of its
own, so neither the shared instance nor another run of this suite (a CI clone, a
colleague) is disturbed, and stops and purges it at the end of the session. To reuse
a long-lived private instance instead, set all of `RELIABILITY_KAFKA_PORT`,
`RELIABILITY_KAFKA_CONTROLLER_PORT`, `RELIABILITY_MONGO_PORT` and
`RELIABILITY_INFRA_DIR` (it is then left running).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from pymongo import AsyncMongoClient

from tests.conftest import SERVICES, Slate, spawner
from tests.support.infra import ROOT, Infra
from tests.support.kafka import delete_topics
from tests.support.processes import ServiceProcess, free_port


@dataclass
class PrivateInfra:
    env: dict[str, str]
    infra: Infra

    def run(self, command: str) -> float:
        """Run `infra/local.sh <command>` on the private instance; return its seconds."""
        started = time.monotonic()
        subprocess.run(
            ["bash", str(ROOT / "infra" / "local.sh"), command],
            env={**os.environ, **self.env},
            check=True,
            capture_output=True,
            timeout=180,
        )
        return time.monotonic() - started


@pytest.fixture(scope="session")
def private_infra() -> Iterator[PrivateInfra]:
    names = ("KAFKA_PORT", "KAFKA_CONTROLLER_PORT", "MONGO_PORT", "INFRA_DIR")
    given = {n: os.environ.get(f"RELIABILITY_{n}", "") for n in names}
    reuse = all(given.values())
    env = {
        "KAFKA_PORT": given["KAFKA_PORT"] if reuse else str(free_port()),
        "KAFKA_CONTROLLER_PORT": given["KAFKA_CONTROLLER_PORT"] if reuse else str(free_port()),
        "MONGO_PORT": given["MONGO_PORT"] if reuse else str(free_port()),
        "CLIENTELE_INFRA_DIR": given["INFRA_DIR"]
        if reuse
        else tempfile.mkdtemp(prefix="clientele-reliability-"),
    }
    found = PrivateInfra(
        env,
        Infra(
            f"127.0.0.1:{env['KAFKA_PORT']}",
            f"mongodb://127.0.0.1:{env['MONGO_PORT']}",
            "private instance",
        ),
    )
    found.run("up")
    try:
        yield found
    finally:
        if not reuse:
            found.run("purge")
            shutil.rmtree(env["CLIENTELE_INFRA_DIR"], ignore_errors=True)  # our mkdtemp


@pytest.fixture
async def private_slate(private_infra: PrivateInfra) -> AsyncIterator[Slate]:
    s = Slate(private_infra.infra, f"r{uuid4().hex[:10]}")
    yield s
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(private_infra.infra.mongodb)
    try:
        for service in SERVICES:
            await client.drop_database(s.db_name(service))
    finally:
        await client.close()
    await delete_topics(private_infra.infra.kafka, s.prefix)


@pytest.fixture
def private_spawn(private_slate: Slate, tmp_path: Path) -> Iterator[Callable[..., ServiceProcess]]:
    """Like `spawn`, on the private instance."""
    with spawner(private_slate, tmp_path) as start:
        yield start


@pytest.fixture
async def mongo_private(
    private_infra: PrivateInfra,
) -> AsyncIterator[AsyncMongoClient[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        private_infra.infra.mongodb, tz_aware=True, serverSelectionTimeoutMS=2000
    )
    yield client
    await client.close()
