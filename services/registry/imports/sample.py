"""Generated client CSVs for trying and measuring the import (with bad rows on purpose)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

FIRST = [
    "Anna",
    "Jörg",
    "Zoë",
    "Lukas",
    "Marie",
    "Ömer",
    "Sofia",
    "Jan",
    "Lena",
    "Paul",
    "Emma",
    "Felix",
    "Mia",
    "Noah",
    "Hannah",
    "Elias",
    "Léa",
    "Ben",
    "Clara",
    "Finn",
]
LAST = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Werner",
]
COLUMNS = [
    "name",
    "phone",
    "email",
    "birthday",
    "language",
    "store_id",
    "category",
    "tags",
    "card_number",
    "consent_sms",
    "consent_email",
]
BAD_KINDS = ("phone", "card", "duplicate", "name", "category")


def sample_row(i: int, rng: random.Random) -> dict[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return {
        "name": f"{first} {last}{'' if i % 3 else ' ' + rng.choice(LAST)}",
        "phone": f"030 {10_000_000 + i}",
        "email": f"{first}.{last}.{i}@example.com".lower(),
        "birthday": f"{1940 + i % 60}-{1 + i % 12:02d}-{1 + i % 28:02d}",
        "language": "de",
        "store_id": f"S{i % 7}",
        "category": "vip" if i % 50 == 0 else "regular",
        "tags": "indecisive" if i % 40 == 0 else "",
        "card_number": "",
        "consent_sms": "yes" if i % 2 else "no",
        "consent_email": "yes" if i % 5 == 0 else "",
    }


def spoil(row: dict[str, str], kind: str, i: int) -> dict[str, str]:
    if kind == "phone":
        return row | {"phone": "call me"}
    if kind == "card":
        return row | {"card_number": "4000123412341235"}
    if kind == "duplicate":
        return row | {"phone": f"030 {10_000_000 + i - 1}"}
    if kind == "name":
        return row | {"name": ""}
    return row | {"category": "gold"}


def write_sample(path: Path, rows: int, bad_every: int = 0, seed: int = 7) -> list[int]:
    """Write `rows` clients; every `bad_every`-th is spoiled. Returns the bad rows' lines."""
    rng = random.Random(seed)
    bad: list[int] = []
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        for i in range(1, rows + 1):
            row = sample_row(i, rng)
            if bad_every and i % bad_every == 0:
                row = spoil(row, BAD_KINDS[(i // bad_every) % len(BAD_KINDS)], i)
                bad.append(i + 1)  # line number: the header is line 1
            writer.writerow(row)
    return bad
