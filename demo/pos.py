"""The POS side of the demo: baskets at tills, turned into `purchase.recorded` / `.returned` v1.

Everything here is pure (a seeded `random.Random` and a given `now`): the timeline of a
shop chain's days, in the order a POS would publish it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from itertools import count
from zoneinfo import ZoneInfo

from demo.world import CATALOGUE, STORES, DemoClient, Store, store_of
from shared.contracts.pos import PurchaseRecorded, PurchaseReturned

BUSINESS_TZ = ZoneInfo("Europe/Berlin")
OPEN_HOUR, CLOSE_HOUR = 9, 20
CENT = Decimal("0.01")


@dataclass
class Till:
    """Numbers receipts like a real till, `<till>-<seed>-<series>-<n>`: the same seed makes
    the same purchase ids, so running the demo twice counts each purchase once."""

    seed: int
    series: str = "A"
    numbers: count[int] = field(default_factory=lambda: count(1))

    def receipt(self, till: str) -> str:
        return f"{till}-{self.seed}-{self.series}-{next(self.numbers):05d}"


def basket(rng: random.Random) -> list[dict[str, str]]:
    lines = []
    for product in rng.sample(CATALOGUE, k=rng.choice((1, 1, 2, 2, 3, 4))):
        quantity = rng.choice((1, 1, 1, 2, 3)) if product.group != "gifts" else 1
        lines.append(
            {
                "sku": product.sku,
                "name": product.name,
                "quantity": str(quantity),
                "unit_price": str(product.price),
                "unit_cost": str(product.cost),
                "discount": "0.00",
                "product_group": product.group,
            }
        )
    return lines


def total_of(lines: list[dict[str, str]]) -> Decimal:
    return sum((Decimal(x["quantity"]) * Decimal(x["unit_price"]) for x in lines), Decimal(0))


def sale(
    rng: random.Random,
    till: Till,
    store: Store,
    at: datetime,
    client: DemoClient | None,
) -> PurchaseRecorded:
    """One receipt: a basket, the employee at the till, sometimes bonus paid with."""
    lines = basket(rng)
    total = total_of(lines)
    redeemed = Decimal("0.00")
    if client is not None and rng.random() < 0.2 and client.bonus_estimate() >= 2:
        redeemed = min(client.bonus_estimate() / 2, total).quantize(CENT, ROUND_DOWN)
        client.redeemed += redeemed
    if client is not None:
        client.spend += total
    ref = {"card_number": client.card_number} if client and client.card_number else None
    return PurchaseRecorded.model_validate(
        {
            "occurred_at": at,
            "purchase_id": till.receipt(rng.choice(store.tills)),
            "store_id": store.store_id,
            "employee_id": rng.choice(store.employees),
            "client": ref,
            "currency": "EUR",
            "lines": lines,
            "total": f"{total:.2f}",
            "bonus_redeemed": f"{redeemed:.2f}",
            "payment": rng.choice(("card", "card", "card", "cash")),
        }
    )


def give_back(purchase: PurchaseRecorded, at: datetime) -> PurchaseReturned:
    line = purchase.lines[0]
    return PurchaseReturned(
        occurred_at=at,
        return_id=f"R-{purchase.purchase_id}",
        purchase_id=purchase.purchase_id,
        store_id=purchase.store_id,
        client=purchase.client,
        lines=[{"sku": line.sku, "quantity": "1"}],
    )


def opening_time(rng: random.Random, day: datetime) -> datetime:
    """A moment in the stores' opening hours on `day` (business time zone)."""
    minute = rng.randrange((CLOSE_HOUR - OPEN_HOUR) * 60)
    local = datetime.combine(day.date(), time(OPEN_HOUR), BUSINESS_TZ)
    return local + timedelta(minutes=minute)


def trading_days(days: int, now: datetime) -> list[datetime]:
    today = now.astimezone(BUSINESS_TZ)
    return [today - timedelta(days=back) for back in range(days, -1, -1)]


def client_trade(
    client: DemoClient, days: int, now: datetime, seed: int
) -> list[PurchaseRecorded | PurchaseReturned]:
    """One client's visits over `days` days up to `now`, oldest first (a few returned
    later): what their home store's tills publish."""
    rng, till = random.Random(f"pos:{seed}:{client.index}"), Till(seed, f"C{client.index}")
    store = store_of(client.home_store)
    events: list[PurchaseRecorded | PurchaseReturned] = []
    for day in trading_days(days, now):
        if rng.random() >= client.visits_per_day:
            continue
        at = opening_time(rng, day)
        if at >= now:
            continue  # later today: not yet
        purchase = sale(rng, till, store, at, client)
        events.append(purchase)
        returned_at = at + timedelta(days=rng.randint(1, 3))
        if rng.random() < 0.05 and returned_at < now:
            events.append(give_back(purchase, returned_at))
    return sorted(events, key=lambda e: e.occurred_at)


def anonymous_trade(days: int, now: datetime, seed: int) -> list[PurchaseRecorded]:
    """A few sales a day at every store to people who show no card."""
    rng, till = random.Random(f"pos:{seed}:anonymous"), Till(seed, "A")
    sales = []
    for day in trading_days(days, now):
        for store in STORES:
            for _ in range(rng.randint(0, 2)):
                at = opening_time(rng, day)
                if at < now:
                    sales.append(sale(rng, till, store, at, None))
    return sorted(sales, key=lambda e: e.occurred_at)
