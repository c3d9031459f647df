"""Readiness answered from the last background check, never from a round trip.

A `/readyz` that pinged the store and Kafka itself waited behind the very work it
vouches for: during a batch of 500 purchases loyalty's store ping queued behind
hundreds of point reads for one of the pool's connections and took up to 0.8 s, so an
orchestrator's 0.3 s probe missed and would have taken a healthy, busy consumer out
of service. Here a background task checks each dependency every `interval_s`, and a
probe reads the last results without any I/O.

A dependency is "ok" while its last check succeeded within `timeout_s`; a check that
fails or times out makes it unavailable at once (within `interval_s + timeout_s` of
the outage), and results older than `stale_after_s` (the checker stopped, or the
event loop was blocked for that long) count as unavailable too.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from shared.periodic import PeriodicTask

Check = Callable[[], Awaitable[bool]]  # True: the dependency answered as it should


@dataclass(frozen=True)
class Outcome:
    status: str  # "ok" or what is wrong
    at: float  # time.monotonic() when the check finished


class DependencyChecks:
    """Checks `checks` in the background; `snapshot()` says how each one did."""

    def __init__(
        self,
        checks: Mapping[str, Check],
        *,
        interval_s: float = 1.0,
        timeout_s: float = 5.0,
    ) -> None:
        self.checks = dict(checks)
        self.timeout_s = timeout_s
        self.stale_after_s = interval_s + timeout_s + 5.0
        self.outcomes: dict[str, Outcome] = {}
        self.task = PeriodicTask("readiness", interval_s, self.run_once)

    async def run_once(self) -> None:
        """Check every dependency once, concurrently (at start, then periodically)."""
        names = list(self.checks)
        results = await asyncio.gather(*(self._check(self.checks[n]) for n in names))
        now = time.monotonic()
        self.outcomes.update({n: Outcome(r, now) for n, r in zip(names, results, strict=True)})

    async def _check(self, check: Check) -> str:
        try:
            ok = await asyncio.wait_for(check(), self.timeout_s)
        except TimeoutError:
            return f"unavailable: no answer in {self.timeout_s:g} s"
        except Exception as exc:
            return f"unavailable: {type(exc).__name__}"
        return "ok" if ok else "unavailable"

    def snapshot(self) -> dict[str, str]:
        now = time.monotonic()
        checks: dict[str, str] = {}
        for name in self.checks:
            outcome = self.outcomes.get(name)
            if outcome is None:
                checks[name] = "not checked yet"
            elif now - outcome.at > self.stale_after_s:
                checks[name] = f"unavailable: not checked for {now - outcome.at:.0f} s"
            else:
                checks[name] = outcome.status
        return checks
