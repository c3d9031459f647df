"""`clientele pos simulate`: a steady load of valid `purchase.recorded` v1 events.

For POS integrators and ops: how the pipeline copes with N sales a second. Bounded by
a count and a duration, whichever comes first; every event is a valid v1 purchase
(anonymous, or on the cards given) with a fresh purchase id.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import uuid4

from demo.kafka import PosPublisher
from demo.pos import Till, sale
from demo.world import STORES, DemoClient


@dataclass(frozen=True)
class LoadReport:
    sent: int
    errors: list[str]
    seconds: float

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        first = f" (first: {self.errors[0]})" if self.errors else ""
        return (
            f"sent {self.sent} purchase.recorded events in {self.seconds:.1f} s "
            f"({self.rate:.1f}/s achieved), {len(self.errors)} errors{first}"
        )


def card_holders(cards: list[str]) -> list[DemoClient | None]:
    holders: list[DemoClient | None] = [
        DemoClient(i, "", "", None, "regular", "en", False, "S1", 0, card_number=card)
        for i, card in enumerate(cards)
    ]
    return holders or [None]


async def simulate(
    bootstrap: str,
    topic_prefix: str,
    rate: float,
    duration_s: float,
    count: int,
    cards: list[str],
) -> LoadReport:
    """Publish at `rate` per second until `count` events or `duration_s` seconds."""
    rng, till = random.Random(), Till(seed=uuid4().int % 10**9)  # fresh purchase ids
    holders = card_holders(cards)
    started = time.monotonic()
    async with PosPublisher(bootstrap, topic_prefix, linger_ms=5) as pos:
        for n in range(count):
            due = started + n / rate
            if due - started >= duration_s or time.monotonic() - started >= duration_s:
                break  # the schedule, or a machine too slow to keep it, ran out of time
            if (wait := due - time.monotonic()) > 0:
                await asyncio.sleep(wait)
            store = rng.choice(STORES)
            await pos.send(sale(rng, till, store, datetime.now(UTC), rng.choice(holders)))
        await pos.flush()
    return LoadReport(pos.sent, pos.errors, time.monotonic() - started)
