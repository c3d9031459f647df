"""Publishing POS events to Kafka as an upstream POS does: JSON, keyed by the client's card.

Loopback only unless told otherwise: a demo or a load test pointed at a production
broker by mistake would write made-up sales into real books.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from dataclasses import dataclass, field
from types import TracebackType

from aiokafka import AIOKafkaProducer

from shared.contracts.base import Event

DEFAULT_BOOTSTRAP = "127.0.0.1:9092"


class RemoteBrokerRefused(ValueError):
    """The bootstrap names a host that is not this machine (and --allow-remote is off)."""


def default_bootstrap() -> str:
    return os.environ.get("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_BOOTSTRAP)


def default_topic_prefix() -> str:
    return os.environ.get("CLIENTELE_TOPIC_PREFIX", "")


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
    except (OSError, ValueError):
        return False


def check_loopback(bootstrap: str, allow_remote: bool) -> None:
    hosts = [entry.strip().rsplit(":", 1)[0].strip("[]") for entry in bootstrap.split(",")]
    remote = [h for h in hosts if not is_loopback(h)]
    if remote and not allow_remote:
        raise RemoteBrokerRefused(
            f"{', '.join(remote)} is not this machine: made-up sales go to a local broker "
            "only (pass --allow-remote to publish there anyway)"
        )


@dataclass
class PosPublisher:
    """One idempotent producer; `send` queues (batched by the client), `flush` waits for
    every queued event and returns how many failed."""

    bootstrap: str
    topic_prefix: str = ""
    linger_ms: int = 20
    _producer: AIOKafkaProducer | None = None
    _pending: list[asyncio.Future[object]] = field(default_factory=list)
    sent: int = 0
    errors: list[str] = field(default_factory=list)

    async def __aenter__(self) -> PosPublisher:
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap,
            enable_idempotence=True,
            linger_ms=self.linger_ms,
            request_timeout_ms=15000,
        )
        await self._producer.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._producer is not None:
            try:
                await self.flush()
            finally:
                await self._producer.stop()

    async def send(self, event: Event) -> None:
        assert self._producer is not None, "use `async with PosPublisher(...)`"
        future = await self._producer.send(
            self.topic_prefix + event.TOPIC,
            event.model_dump_json().encode(),
            key=event.partition_key().encode(),
        )
        self._pending.append(future)
        if len(self._pending) >= 500:
            await self.flush()

    async def flush(self) -> None:
        pending, self._pending = self._pending, []
        for outcome in await asyncio.gather(*pending, return_exceptions=True):
            if isinstance(outcome, BaseException):
                self.errors.append(f"{type(outcome).__name__}: {outcome}")
            else:
                self.sent += 1
