"""The demo's shop chain, made up from a seed: stores, tills, staff, a catalogue, clients.

Pure and deterministic: the same seed makes the same world, so a demo run is repeatable
and a test can say what it expects.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

FIRST_NAMES = (
    "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "John", "Hedy",
    "Tim", "Radia", "Ken", "Margaret", "Dennis", "Sophie", "Linus", "Annie", "Niklaus",
    "Karen", "Claude", "Mary", "Leslie", "Joan", "Bjarne", "Anita", "Guido", "Katherine",
)  # fmt: skip
LAST_NAMES = (
    "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Backus",
    "Lamarr", "Berners-Lee", "Perlman", "Thompson", "Hamilton", "Ritchie", "Wilson",
    "Torvalds", "Easley", "Wirth", "Sparck Jones", "Shannon", "Keller", "Lamport",
    "Clarke", "Stroustrup", "Borg", "van Rossum", "Johnson",
)  # fmt: skip
LANGUAGES = ("en", "de", "de", "de")


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price: Decimal
    cost: Decimal
    group: str


CATALOGUE = (
    Product("TEA-01", "Green tea 100 g", Decimal("6.50"), Decimal("2.40"), "tea"),
    Product("TEA-02", "Earl Grey 250 g", Decimal("11.90"), Decimal("4.10"), "tea"),
    Product("TEA-03", "Rooibos 100 g", Decimal("5.20"), Decimal("1.90"), "tea"),
    Product("COF-01", "Espresso beans 500 g", Decimal("14.90"), Decimal("7.20"), "coffee"),
    Product("COF-02", "Filter coffee 250 g", Decimal("7.80"), Decimal("3.30"), "coffee"),
    Product("PAS-01", "Croissant", Decimal("2.20"), Decimal("0.70"), "pastry"),
    Product("PAS-02", "Cheesecake slice", Decimal("4.50"), Decimal("1.60"), "pastry"),
    Product("GIF-01", "Teapot, cast iron", Decimal("49.00"), Decimal("21.00"), "gifts"),
    Product("GIF-02", "Gift box", Decimal("29.90"), Decimal("12.50"), "gifts"),
    Product("ACC-01", "Tea filters x100", Decimal("3.40"), Decimal("0.90"), "accessories"),
)


@dataclass(frozen=True)
class Store:
    store_id: str
    tills: tuple[str, ...]
    employees: tuple[str, ...]


STORES = (
    Store("S1", ("S1-T1", "S1-T2"), ("E1", "E2", "E3")),
    Store("S2", ("S2-T1",), ("E4", "E5")),
    Store("S3", ("S3-T1", "S3-T2"), ("E6", "E7", "E8")),
)
# How satisfied each employee's clients usually are (mean survey score out of 10):
# one star, one who needs coaching, the rest in between.
EMPLOYEE_MEAN_SCORE = {
    "E1": 9.4, "E2": 8.6, "E3": 7.9, "E4": 8.8, "E5": 5.8, "E6": 8.3, "E7": 9.0, "E8": 8.1,
}  # fmt: skip
# Bonus accrual per category, as loyalty's default rules say: the demo redeems only
# what a client has probably earned.
ACCRUAL_RATE = {
    "regular": Decimal("0.05"),
    "vip": Decimal("0.08"),
    "problem": Decimal("0.02"),
    "employee": Decimal("0"),
}


@dataclass
class DemoClient:
    index: int
    name: str
    phone: str
    email: str | None
    category: str
    language: str
    sms_consent: bool
    home_store: str
    visits_per_day: float
    client_id: str | None = None  # given by the registry
    card_number: str | None = None
    spend: Decimal = field(default=Decimal("0"))
    redeemed: Decimal = field(default=Decimal("0"))

    def registration(self) -> dict[str, object]:
        body: dict[str, object] = {
            "name": self.name,
            "phone": self.phone,
            "category": self.category,
            "language": self.language,
            "store_id": self.home_store,
            "consents": {"sms": self.sms_consent},
        }
        if self.email:
            body["email"] = self.email
        return body

    def bonus_estimate(self) -> Decimal:
        earned = self.spend * ACCRUAL_RATE.get(self.category, Decimal("0.05"))
        return max(earned - self.redeemed, Decimal("0"))


def category_of(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.07:
        return "vip"  # a few VIPs
    if roll < 0.10:
        return "employee"
    if roll < 0.12:
        return "problem"
    return "regular"


def phone_of(seed: int, index: int) -> str:
    """A German mobile number unique per (seed, index): a second demo with another seed
    registers other people."""
    return f"+49151{seed % 100:02d}{index:06d}"


def make_clients(seed: int, count: int) -> list[DemoClient]:
    rng = random.Random(f"clients:{seed}")
    clients = []
    for i in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{first}.{last}.{seed}.{i}@example.com".lower().replace(" ", "")
        clients.append(
            DemoClient(
                index=i,
                name=f"{first} {last}",
                phone=phone_of(seed, i),
                email=email if rng.random() < 0.6 else None,
                category=category_of(rng),
                language=rng.choice(LANGUAGES),
                sms_consent=rng.random() < 0.9,
                home_store=rng.choice(STORES).store_id,
                visits_per_day=rng.uniform(0.02, 0.14),  # a visit every week or two
            )
        )
    return clients


def store_of(store_id: str) -> Store:
    return next(s for s in STORES if s.store_id == store_id)
