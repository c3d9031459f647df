"""Two registry replicas at issue 17's size: 2,000 clients sharing name prefixes
registered at both at once, each found exactly once by name; 200 phones registered at
both at once, one client each, the other registration a 409. `make test` runs a small
version (and tests/integration/registry/test_two_replicas.py 500 and 100)."""

from __future__ import annotations

import time

from tests.conftest import Slate
from tests.integration.registry.test_two_replicas import (
    each_found_once_by_name,
    one_client_per_phone,
)
from tests.reliability.sizing import report, scaled


async def test_two_registry_replicas_register_2000_clients_each_found_once(slate: Slate) -> None:
    clients = scaled(100, 2000)
    started = time.monotonic()
    await each_found_once_by_name(slate, clients)
    report("registry replicas, names", clients=clients, seconds=round(time.monotonic() - started))


async def test_200_phones_registered_at_both_registry_replicas_are_one_client_each(
    slate: Slate,
) -> None:
    phones = scaled(20, 200)
    started = time.monotonic()
    await one_client_per_phone(slate, phones)
    report("registry replicas, phones", phones=phones, seconds=round(time.monotonic() - started))
