"""What the hot paths cost in store commands, counted in all five processes (issue 15).

The whole stack runs as real processes; each counts its store commands on /metrics
(tests/support/store_commands.py reads them all and removes the idle background).
Warm first (three registrations, one of each operation), then 20 operations each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.support.processes import ServiceProcess
from tests.support.stack import Stack, whole_stack
from tests.support.staff import ADMIN_PASSWORD, ADMIN_USERNAME
from tests.support.store_commands import Cost, measure

N = 20
# Not counted against the targets (issue 15): the gateway's audit trail, written in
# batches off the request path, and its re-read of a staff account whose cached copy
# expired (once per account every few seconds, however many requests it makes).
NOT_PER_OPERATION = ("audit_log", "audit_clients", "staff_users")


def staff_client(stack: Stack) -> httpx.Client:
    api = httpx.Client(base_url=stack.gateway.url, timeout=30)
    r = api.post(
        "/api/v1/auth/token", data={"username": ADMIN_USERNAME, "password": ADMIN_PASSWORD}
    )
    assert r.status_code == 200, r.text
    api.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    return api


def register(api: httpx.Client, i: int) -> dict[str, str]:
    r = api.post(
        "/api/v1/clients",
        json={"name": f"Ada Lovelace {i}", "phone": f"+49 30 7{i:06d}", "consents": {"sms": True}},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    return {"id": body["id"], "card": body["card_number"]}


@pytest.fixture
def stack(spawn: Callable[..., ServiceProcess]) -> Iterator[tuple[Stack, httpx.Client]]:
    stack = whole_stack(spawn)
    api = staff_client(stack)
    try:
        yield stack, api
    finally:
        api.close()


def processes(stack: Stack) -> list[ServiceProcess]:
    return [stack.gateway, stack.registry, stack.loyalty, stack.surveys, stack.complaints]


def test_a_card_lookup_through_the_gateway_is_one_store_command(
    stack: tuple[Stack, httpx.Client],
) -> None:
    services, api = stack
    clients = [register(api, i) for i in range(3)]

    def lookup(i: int) -> None:
        card = clients[i % len(clients)]
        r = api.get("/api/v1/clients", params={"q": card["card"]})
        assert r.status_code == 200, r.text
        assert [item["id"] for item in r.json()["items"]] == [card["id"]]

    lookup(0)
    cost: Cost = measure(processes(services), lookup, N)
    print(f"card lookup: {cost}")
    assert cost.without(*NOT_PER_OPERATION) == {("registry", "find", "lookups"): 1.0}, cost
