"""Recognising one client's personal data in any text (a document, a log line, a record).

Phones are compared as digits (the national significant number, so `+49 30 1234567`,
`030/1234567` and `0049301234567` all match), card numbers as digits, emails
case-insensitively, names after the same normalisation the registry's search uses
(case, accents, punctuation). A birthday alone names nobody, so it counts only in a
text that also names the client's id.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from shared.identity import national_digits

_NOT_DIGIT = re.compile(r"\D")


def normalise_name(text: str) -> str:
    """Lower-case, accents dropped, punctuation as spaces (as registry search does)."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " ".join("".join(ch if ch.isalnum() else " " for ch in plain).split())


@dataclass(frozen=True)
class PersonalData:
    """What to search for: one client's personal data."""

    client_id: str
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    cards: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    birthdays: tuple[str, ...] = ()
    _phone_digits: tuple[str, ...] = field(init=False, repr=False)
    _names: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        digits = tuple(d for d in (national_digits(p) for p in self.phones) if len(d) >= 6)
        object.__setattr__(self, "_phone_digits", digits)
        names = tuple(n for n in (normalise_name(n) for n in self.names) if n)
        object.__setattr__(self, "_names", names)

    @classmethod
    def from_registry(cls, doc: dict[str, Any]) -> PersonalData:
        """From the registry's client document (before it was erased)."""
        birthday = doc.get("birthday")
        if isinstance(birthday, date):
            birthday = birthday.isoformat()[:10]
        return cls(
            client_id=str(doc["_id"]),
            phones=tuple(doc.get("phones") or ()),
            emails=(doc["email"],) if doc.get("email") else (),
            cards=tuple(str(c["number"]) for c in doc.get("cards") or () if c.get("number")),
            names=(doc["name"],) if doc.get("name") else (),
            birthdays=(str(birthday),) if birthday else (),
        )

    def is_empty(self) -> bool:
        return not (self.phones or self.emails or self.cards or self.names or self.birthdays)

    def kinds_in(self, text: str) -> list[str]:
        """Which kinds of this client's data `text` holds (empty: none)."""
        digits, lower = _NOT_DIGIT.sub("", text), text.lower().replace("%40", "@")
        found = []
        if any(d in digits for d in self._phone_digits):
            found.append("phone")
        if any(_NOT_DIGIT.sub("", c) in digits for c in self.cards if c):
            found.append("card number")
        if any(e.lower() in lower for e in self.emails):
            found.append("email")
        if self._names and any(f" {n} " in f" {normalise_name(text)} " for n in self._names):
            found.append("name")
        if self.client_id in text and any(b in text for b in self.birthdays):
            found.append("birthday")
        return found
