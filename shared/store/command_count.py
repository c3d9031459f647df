"""Every store command a process sends, counted by command and collection.

Each command is a round trip that FerretDB charges milliseconds for, so "how many
commands does this operation cost, across every process" is the capacity question
(tests/support/store_commands.py reads these counters from every process's /metrics).
The listener runs on every command, so it does the least it can: one dict lookup and
one increment (about a microsecond against a round trip of ~700).
"""

from __future__ import annotations

from typing import Any

from prometheus_client.metrics import Counter
from pymongo import monitoring

from shared.metrics import STORE_COMMANDS


def collection_of(command_name: str, command: Any) -> str:
    """The collection a command works on ("" for commands on none, like `ping`)."""
    if command_name == "getMore":
        return str(command.get("collection", ""))
    target = command.get(command_name)
    return target if isinstance(target, str) else ""


class StoreCommandCounter(monitoring.CommandListener):
    """Counts commands as they start (a failed command was a round trip too)."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._children: dict[tuple[str, str], Counter] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        key = (event.command_name, collection_of(event.command_name, event.command))
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = STORE_COMMANDS.labels(self.service, *key)
        child.inc()

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass
