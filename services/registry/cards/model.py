"""Club cards: numbers with a Luhn check digit, issued or bound, blocked and replaced."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field
from stdnum import luhn

from shared.identity import InvalidCardNumber as InvalidCardNumber  # re-exported
from shared.identity import normalise_card_number as normalise_card_number
from shared.problems import Conflict, NotFound

CARD_LENGTH = 16


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


def new_card_number(prefix: str, length: int = CARD_LENGTH) -> str:
    """A random number under `prefix` with its check digit (uniqueness: the lookup insert)."""
    body_len = length - len(prefix) - 1
    if body_len < 6:
        raise ValueError(f"card prefix {prefix!r} leaves too few digits for a {length}-digit card")
    body = prefix + "".join(secrets.choice("0123456789") for _ in range(body_len))
    return body + luhn.calc_check_digit(body)


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
