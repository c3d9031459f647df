"""Deterministic POS purchases with balances that are easy to check by hand.

Every client is `regular` (5 % accrual) and loyalty runs with one tier
(`LOYALTY_TIERS=bronze:0:1`), so a purchase of T cents earns exactly T * 5 / 100
cents (totals are multiples of 20 cents). The expected balance of a client is the
sum over its purchases, however often each is delivered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID, uuid5

from shared.contracts import ClientRegistered
from shared.contracts.pos import PurchaseRecorded

LOYALTY_ENV = {"LOYALTY_TIERS": "bronze:0:1"}
NAMESPACE = UUID("6f1c3a52-8d0e-4c1b-9a77-2f5d0c9e1b10")


def client_id(n: int) -> str:
    return f"c{n:06d}"


def clients(count: int) -> Iterator[tuple[bytes, bytes]]:
    for n in range(count):
        event = ClientRegistered(client_id=client_id(n), name=f"Client {n}")
        yield event.client_id.encode(), event.model_dump_json().encode()


def total_cents(n: int) -> int:
    return 1000 + (n % 5) * 200


def purchase(n: int, client_count: int, tag: str, copy: int = 0) -> tuple[bytes, bytes]:
    """Purchase n (key, JSON). `copy` > 0 is the same purchase resent with a new event_id."""
    cid = client_id(n % client_count)
    price = Decimal(total_cents(n)).scaleb(-2)
    event = PurchaseRecorded(
        event_id=uuid5(NAMESPACE, f"{tag}:{n}:{copy}"),
        occurred_at=datetime.now(UTC),
        purchase_id=f"{tag}-p{n}",
        store_id="S1",
        employee_id="E7",
        client={"client_id": cid},
        currency="EUR",
        lines=[{"sku": "A1", "name": "Tea", "quantity": "1", "unit_price": str(price)}],
        total=price,
    )
    return cid.encode(), event.model_dump_json().encode()


def expected_balances(purchases: int, client_count: int) -> dict[str, int]:
    balances: Counter[str] = Counter()
    for n in range(purchases):
        balances[client_id(n % client_count)] += total_cents(n) * 5 // 100
    return dict(balances)
