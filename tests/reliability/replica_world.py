"""The shop of the replica reliability test: who registers, what they buy, and what every
balance and report must then say, recomputed here from the events alone (plain integer
arithmetic, none of loyalty's code), so a report that counts a purchase twice or not at
all differs from it.

Clients `c000000`...: every fourth is `vip` (8 %), the rest `regular` (5 %), one tier
(`LOYALTY_TIERS=bronze:0:1`). The first `GREETED` have a birthday today (one birthday
bonus, one birthday SMS each), the next `GREETED` a name day today (one name-day SMS
each), the next `COMPLAINING` file a complaint whose SLA clocks run out in seconds
(one escalation per breach, one goodwill credit per case). Purchase n: client
n % clients, store `S<n % 3>`, employee `E<n % 4>`, total 10.00-18.00, cost 60 % of it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid5

from shared.contracts import ClientRegistered
from shared.contracts.pos import PurchaseRecorded
from shared.contracts.registry import Consent

GREETED = 5
COMPLAINING = 3
STORES, EMPLOYEES = 3, 4
RATE_PERCENT = {"regular": 5, "vip": 8}
BIRTHDAY_BONUS_CENTS = 500  # regular's default rule
GOODWILL_CENTS = 1000  # complaints' default goodwill, granted once on a resolution breach
NAMESPACE = UUID("0b8f5a7e-4f7c-4d6e-9b1e-3c2a9d8e7f61")


def client_id(n: int) -> str:
    return f"c{n:06d}"


def category(n: int) -> str:
    return "vip" if n % 4 == 3 else "regular"


def phone(n: int) -> str:
    return f"+49305{n:06d}"


def has_birthday(n: int) -> bool:
    return n < GREETED


def has_name_day(n: int) -> bool:
    return GREETED <= n < 2 * GREETED


def complains(n: int) -> bool:
    return 2 * GREETED <= n < 2 * GREETED + COMPLAINING


def complaining() -> list[str]:
    return [client_id(n) for n in range(2 * GREETED, 2 * GREETED + COMPLAINING)]


def registrations(count: int, today: date) -> Iterator[tuple[bytes, bytes]]:
    consent = {"sms": Consent(granted=True, at=datetime.now(UTC), source="front_desk")}
    for n in range(count):
        greeted = n < 2 * GREETED
        event = ClientRegistered(
            client_id=client_id(n),
            name=f"Client {n}",
            category="regular" if greeted else category(n),
            phone=phone(n) if greeted else None,
            birthday=today.replace(year=1990) if has_birthday(n) else None,
            name_day=today.strftime("%m-%d") if has_name_day(n) else None,
            consents=consent if greeted else {},
        )
        yield event.client_id.encode(), event.model_dump_json().encode()


def total_cents(n: int) -> int:
    return 1000 + (n % 5) * 200


def purchase(n: int, client_count: int, tag: str) -> tuple[bytes, bytes]:
    cid, total = client_id(n % client_count), total_cents(n)
    price, cost = Decimal(total).scaleb(-2), Decimal(total * 3 // 5).scaleb(-2)
    event = PurchaseRecorded(
        event_id=uuid5(NAMESPACE, f"{tag}:{n}"),
        occurred_at=datetime.now(UTC),
        purchase_id=f"{tag}-p{n}",
        store_id=f"S{n % STORES}",
        employee_id=f"E{n % EMPLOYEES}",
        client={"client_id": cid},
        currency="EUR",
        lines=[{"sku": "A1", "quantity": "1", "unit_price": str(price), "unit_cost": str(cost)}],
        total=price,
    )
    return cid.encode(), event.model_dump_json().encode()


@dataclass
class Expected:
    """What loyalty must show once every purchase is counted and every job has run."""

    balances: dict[str, int]
    categories: dict[str, dict[str, int]]
    stores: dict[str, dict[str, int]]
    employees: dict[str, dict[str, int]]


def client_category(n: int) -> str:
    return "regular" if n < 2 * GREETED else category(n)


def expected(
    purchases: int, client_count: int, *, birthdays: bool = True, goodwill: bool = True
) -> Expected:
    """`birthdays`: the birthday job ran; `goodwill`: the complaints' SLAs ran out."""
    balances: Counter[str] = Counter()
    categories: dict[str, Counter[str]] = defaultdict(Counter)
    stores: dict[str, Counter[str]] = defaultdict(Counter)
    employees: dict[str, Counter[str]] = defaultdict(Counter)
    for c in range(client_count):
        categories[client_category(c)]["clients"] += 1
        if birthdays and has_birthday(c):
            balances[client_id(c)] += BIRTHDAY_BONUS_CENTS
            categories["regular"]["bonus_cents"] += BIRTHDAY_BONUS_CENTS
        if goodwill and complains(c):
            balances[client_id(c)] += GOODWILL_CENTS
            categories[client_category(c)]["goodwill_cents"] += GOODWILL_CENTS
    for n in range(purchases):
        c, total = n % client_count, total_cents(n)
        bonus = total * RATE_PERCENT[client_category(c)] // 100
        balances[client_id(c)] += bonus
        sale = {"revenue_cents": total, "cost_cents": total * 3 // 5, "purchases": 1}
        categories[client_category(c)].update(sale | {"bonus_cents": bonus})
        stores[f"S{n % STORES}"].update(sale)
        employees[f"E{n % EMPLOYEES}"].update(
            {"sales_cents": total, "weighted_cents": total, "purchases": 1}
        )
    return Expected(
        dict(balances),
        {k: dict(v) for k, v in categories.items()},
        {k: dict(v) for k, v in stores.items()},
        {k: dict(v) for k, v in employees.items()},
    )
