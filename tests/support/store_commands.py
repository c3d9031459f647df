"""What an operation costs in store commands, counted in every process of a stack.

Every process counts the commands it sends to the store (shared/store/command_count.py)
and shows them on /metrics as `clientele_store_commands_total{service,command,
collection}`. `measure` reads every process's counters before and after `n` runs of
an operation and divides by `n`.

The idle background (outbox relays sweeping their markers, readiness pings, periodic
jobs) keeps counting meanwhile. It is measured first, with nothing happening, over a
window at least as long as the operations take; each (process, command, collection)
seen then is charged its idle rate times the operations' duration, and only what is
left counts (never below zero): `Cost.estimated`, as exact as the background is
steady. A command the background never sends (a read of `lookups`, say) is counted
exactly: `Cost.commands`, which tests assert key by key.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.support.processes import ServiceProcess

METRIC = "clientele_store_commands"
Key = tuple[str, str, str]  # (process, command, collection)


def scrape(processes: Sequence[ServiceProcess]) -> Counter[Key]:
    """Every process's store-command counters, keyed by the process's name."""
    counts: Counter[Key] = Counter()
    for process in processes:
        for labels, value in samples(process, METRIC):
            counts[(process.name, labels["command"], labels["collection"])] += value
    return counts


def samples(process: ServiceProcess, metric: str) -> list[tuple[dict[str, str], float]]:
    """The `<metric>_total` samples on a process's /metrics: (labels, value)."""
    text = httpx.get(f"{process.url}/metrics", timeout=10).text
    return [
        (sample.labels, sample.value)
        for family in text_string_to_metric_families(text)
        if family.name == metric
        for sample in family.samples
        if sample.name.endswith("_total")
    ]


def consumed(process: ServiceProcess, topic_suffix: str) -> float:
    """Messages of a topic (its name ends with `topic_suffix`) the process has handled."""
    found = samples(process, "clientele_messages_consumed")
    return sum(v for labels, v in found if labels["topic"].endswith(topic_suffix))


@dataclass(frozen=True)
class Cost:
    """Store commands per operation by (process, command, collection): `commands` on keys
    the idle background never used (exact), `estimated` on keys it did (its rate taken
    off)."""

    commands: dict[Key, float]
    estimated: dict[Key, float]
    background_per_s: dict[Key, float]

    @property
    def total(self) -> float:
        return sum(self.commands.values()) + sum(self.estimated.values())

    def by_process(self) -> dict[str, float]:
        out: Counter[str] = Counter()
        for (process, _, _), n in [*self.commands.items(), *self.estimated.items()]:
            out[process] += round(n, 2)
        return dict(out)

    def on(self, *collections: str) -> float:
        """Commands per operation on these collections only."""
        return sum(n for (_, _, coll), n in self.commands.items() if coll in collections)

    def without(self, *collections: str) -> dict[Key, float]:
        """The commands on every other collection."""
        return {k: n for k, n in self.commands.items() if k[2] not in collections}

    def __str__(self) -> str:
        exact = [
            f"{p}/{c}/{coll or '-'}={n:.2f}" for (p, c, coll), n in sorted(self.commands.items())
        ]
        rough = [
            f"{p}/{c}/{coll or '-'}~{n:.2f}" for (p, c, coll), n in sorted(self.estimated.items())
        ]
        head = f"total {self.total:.2f} by process {self.by_process()}: "
        return head + ", ".join(exact + rough)


def idle_rate(processes: Sequence[ServiceProcess], window_s: float) -> dict[Key, float]:
    before = scrape(processes)
    time.sleep(window_s)
    after = scrape(processes)
    return {k: (after[k] - before[k]) / window_s for k in after if after[k] > before[k]}


def measure(
    processes: Sequence[ServiceProcess],
    operation: Callable[[int], None],
    n: int,
    min_idle_s: float = 3.0,
    settle: Callable[[], None] = lambda: None,
) -> Cost:
    """Run `operation(i)` for i in range(n) and count what it cost every process;
    `settle` waits for what the operations set off (consumers of their events)."""
    start = time.monotonic()
    before = scrape(processes)
    for i in range(n):
        operation(i)
    settle()
    after = scrape(processes)
    took = time.monotonic() - start
    background = idle_rate(processes, max(took, min_idle_s))
    exact: dict[Key, float] = {}
    estimated: dict[Key, float] = {}
    for key in after:
        if key not in background:
            if after[key] > before[key]:
                exact[key] = (after[key] - before[key]) / n
            continue
        spent = after[key] - before[key] - background[key] * took
        if spent > 0:
            estimated[key] = spent / n
    return Cost(exact, estimated, background)
