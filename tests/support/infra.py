"""Where the tests find Kafka and the store.

1. `KAFKA_BOOTSTRAP_SERVERS` / `MONGODB_URL` when set;
2. else testcontainers, when a Docker engine answers;
3. else the project's local launcher (`infra/local.sh up`: real Apache Kafka from
   its Maven Central jars and FerretDB), which is idempotent.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Infra:
    kafka: str
    mongodb: str
    source: str


def docker_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        done = subprocess.run(["docker", "info"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@contextmanager
def _testcontainers() -> Iterator[Infra]:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.mongodb import MongoDbContainer

    with (
        KafkaContainer("apache/kafka:4.1.1").with_kraft() as kafka,
        MongoDbContainer("mongo:8") as mongo,
    ):
        yield Infra(kafka.get_bootstrap_server(), mongo.get_connection_url(), "testcontainers")


@contextmanager
def _local() -> Iterator[Infra]:
    subprocess.run(["bash", str(ROOT / "infra" / "local.sh"), "up"], check=True, timeout=600)
    env = subprocess.run(
        ["bash", str(ROOT / "infra" / "local.sh"), "env"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    values = dict(line.split("=", 1) for line in env.split() if "=" in line)
    yield Infra(values["KAFKA_BOOTSTRAP_SERVERS"], values["MONGODB_URL"], "local processes")


@contextmanager
def infrastructure() -> Iterator[Infra]:
    kafka, mongo = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("MONGODB_URL")
    if kafka and mongo:
        yield Infra(kafka, mongo, "environment")
    elif docker_answers():
        with _testcontainers() as infra:
            yield infra
    else:
        with _local() as infra:
            yield infra
