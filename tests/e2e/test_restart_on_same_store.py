"""Every service starts a second time on the databases its first start left behind."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.processes import ServiceProcess
from tests.support.stack import whole_stack


def test_every_service_starts_again_on_its_own_databases(
    spawn: Callable[..., ServiceProcess],
) -> None:
    first = whole_stack(spawn)  # creates every database, collection and index
    for process in (first.registry, first.loyalty, first.surveys, first.complaints, first.gateway):
        process.stop()
    again = whole_stack(spawn)  # the same slate: the same databases, indexes in place
    for process in (again.registry, again.loyalty, again.surveys, again.complaints, again.gateway):
        assert process.proc is not None and process.proc.poll() is None, process.log_tail()
