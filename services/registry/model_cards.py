"""Club cards: numbers with a Luhn check digit, issued or bound, blocked and replaced."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.problems import Conflict, Invalid, NotFound

CARD_LENGTH = 16


class InvalidCardNumber(Invalid):
    """A card number that cannot be a club card (the message says why)."""


class CardNotFound(NotFound):
    def problem_detail(self) -> str:
        return f"no card {self}"


class CardNotActive(Conflict):
    pass


class Card(BaseModel):
    number: str
    status: Literal["active", "blocked"] = "active"
    source: Literal["issued", "bound", "import"] = "issued"
    issued_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    blocked_at: datetime | None = None
    block_reason: str | None = None
    replaced_by: str | None = None
    replaces: str | None = None


def luhn_check_digit(payload: str) -> str:
    """The digit that makes `payload + digit` pass the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:  # these get doubled once the check digit is appended
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return number.isdigit() and len(number) > 1 and luhn_check_digit(number[:-1]) == number[-1]


def normalise_card_number(raw: str) -> str:
    """Validate a card typed or scanned (spaces and dashes allowed) -> its digits."""
    digits = "".join(ch for ch in raw if ch not in " -")
    if not digits.isdigit():
        raise InvalidCardNumber(f"card number {raw!r}: only digits are allowed")
    if not 8 <= len(digits) <= 19:
        raise InvalidCardNumber(f"card number {digits}: must have 8 to 19 digits")
    if not luhn_valid(digits):
        raise InvalidCardNumber(f"card number {digits}: check digit is wrong")
    return digits


def new_card_number(prefix: str, length: int = CARD_LENGTH) -> str:
    """A random number under `prefix` with its check digit (uniqueness: the lookup insert)."""
    body_len = length - len(prefix) - 1
    if body_len < 6:
        raise ValueError(f"card prefix {prefix!r} leaves too few digits for a {length}-digit card")
    body = prefix + "".join(secrets.choice("0123456789") for _ in range(body_len))
    return body + luhn_check_digit(body)


def block(cards: list[Card], number: str, reason: str, at: datetime) -> list[Card]:
    """The cards after blocking `number` (kept in the history, never deleted)."""
    found = [c for c in cards if c.number == number]
    if not found:
        raise CardNotFound(number)
    if found[0].status != "active":
        raise CardNotActive(f"card {number} is already blocked")
    blocked = found[0].model_copy(
        update={"status": "blocked", "blocked_at": at, "block_reason": reason}
    )
    return [blocked if c.number == number else c for c in cards]


def replace(
    cards: list[Card], number: str, new_number: str, reason: str, at: datetime
) -> list[Card]:
    """Block `number` and add `new_number` as its successor, both linked."""
    after = block(cards, number, reason, at)
    after = [
        c.model_copy(update={"replaced_by": new_number}) if c.number == number else c for c in after
    ]
    return [*after, Card(number=new_number, source="issued", issued_at=at, replaces=number)]
