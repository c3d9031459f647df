"""A busy loyalty stays ready: `/readyz` answers within an orchestrator's probe timeout
while a burst of purchases is being counted (a missed probe takes a healthy consumer
out of service).

Loyalty runs as a real process; the burst goes to Kafka the way POS systems send it;
a probe every 100 ms with a 0.3 s timeout, from a thread of its own (like a kubelet,
a new connection each time), must get a 200 every time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from bench.purchase_data import LOYALTY_ENV, purchase
from tests.conftest import Slate
from tests.reliability.purchases import all_counted, open_accounts, send_all
from tests.support.processes import ServiceProcess

CLIENTS = 200
PURCHASES = 4_000
PROBE_TIMEOUT_S = 0.3


@dataclass
class Prober:
    """Probes `url` every 100 ms until stopped; keeps what each probe got."""

    url: str
    results: list[tuple[float, str]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                status = str(httpx.get(self.url, timeout=PROBE_TIMEOUT_S).status_code)
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            self.results.append((started, status))
            self.stop.wait(max(0.0, 0.1 - (time.monotonic() - started)))


async def test_readiness_answers_in_time_during_a_burst_of_purchases(
    slate: Slate, spawn: Callable[..., ServiceProcess], mongo: AsyncMongoClient[dict[str, Any]]
) -> None:
    loyalty = spawn("loyalty", LOYALTY_ENV)
    loyalty.wait_healthy()
    db = mongo[slate.db_name("loyalty")]
    await open_accounts(slate, db, CLIENTS, timeout_s=120)
    prober = Prober(f"{loyalty.url}/readyz")
    thread = threading.Thread(target=prober.run, daemon=True)
    thread.start()
    try:
        burst = (purchase(n, CLIENTS, "rz") for n in range(PURCHASES))
        await send_all(slate.infra.kafka, slate.topic("purchase.recorded"), burst)
        started = time.monotonic()
        await all_counted(db, PURCHASES, timeout_s=300)
        busy_s = time.monotonic() - started
    finally:
        prober.stop.set()
        thread.join(timeout=5)
    missed = [(round(t - prober.results[0][0], 1), s) for t, s in prober.results if s != "200"]
    assert len(prober.results) >= 10, f"too few probes while busy ({busy_s:.1f} s)"
    assert missed == [], f"{len(missed)} of {len(prober.results)} probes missed: {missed[:10]}"
