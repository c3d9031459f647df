"""What a search query is (a card number, a phone, an email, or the start of a name)
and names for search and duplicate detection: normalised, tokenised, compared.

Search by name uses lookup documents keyed by the first letters of each name part
(`name:mül` holds the clients with a name part starting with `mul`), so a name
search is one point read on FerretDB as on MongoDB (see docs/registry.md).
"""

from __future__ import annotations

import contextlib
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from shared.identity import (
    InvalidEmail,
    InvalidPhone,
    card_key,
    email_key,
    looks_like_card_number,
    normalise_email,
    normalise_phone,
    phone_key,
)

BUCKET_CHARS = 3
SIMILAR_NAME_RATIO = 0.85

# Letters NFKD does not split into a base letter and an accent.
_SPECIAL = str.maketrans(
    {"ß": "ss", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "œ": "oe", "\u0131": "i"}
)


def normalise_name(name: str) -> str:
    """Lower-case, accents dropped, punctuation as spaces: `Zoë O'Neil` -> `zoe o neil`."""
    text = unicodedata.normalize("NFKD", name.casefold().translate(_SPECIAL))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = "".join(ch if ch.isalnum() else " " for ch in text)
    return " ".join(text.split())


def name_tokens(name_norm: str) -> list[str]:
    return list(dict.fromkeys(name_norm.split()))


def bucket_of(token: str) -> str:
    """The lookup key a name part is filed under (short parts are filed whole)."""
    return f"name:{token[:BUCKET_CHARS]}"


def filed_tokens(name_norm: str) -> list[str]:
    """The parts a name is filed under: its parts with a letter (a number in a name, as
    in `Ada Lovelace 2`, would make a bucket of its own for one client), or all of
    them if none has one."""
    tokens = name_tokens(name_norm)
    return [t for t in tokens if not t.isdigit()] or tokens


def buckets_of(name_norm: str) -> list[str]:
    return list(dict.fromkeys(bucket_of(t) for t in filed_tokens(name_norm)))


def query_bucket(query_norm: str) -> str | None:
    """The one bucket that holds every match of a name query: its longest filed part's."""
    tokens = filed_tokens(query_norm)
    return bucket_of(max(tokens, key=len)) if tokens else None


def matches_prefix(name_norm: str, query_norm: str) -> bool:
    """Every part of the query starts some part of the name (`ada lov` ~ `ada lovelace`).

    A query part shorter than the bucket size only matches a name part that is exactly
    that short or starts with it inside a bucket already chosen by a longer part.
    """
    parts = name_tokens(name_norm)
    return all(any(p.startswith(q) for p in parts) for q in name_tokens(query_norm))


def similar_names(a_norm: str, b_norm: str) -> bool:
    """Same person written a little differently (`Jon Smith` / `John Smith`)."""
    if sorted(a_norm.split()) == sorted(b_norm.split()):
        return True
    return SequenceMatcher(None, a_norm, b_norm).ratio() >= SIMILAR_NAME_RATIO


PHONE_CHARS = set("+0123456789 ()-/.")


@dataclass
class SearchPlan:
    """Exact keys to read (`phone:+49...`, `card:4000...`) or a normalised name prefix."""

    keys: list[str] = field(default_factory=list)
    name: str | None = None

    @property
    def kind(self) -> str:
        if self.name is not None:
            return "name"
        return "+".join(dict.fromkeys(k.split(":", 1)[0] for k in self.keys)) or "none"


def plan_search(query: str, default_region: str) -> SearchPlan:
    q = query.strip()
    if "@" in q:
        try:
            return SearchPlan(keys=[email_key(normalise_email(q))])
        except InvalidEmail:
            return SearchPlan()
    if q and set(q) <= PHONE_CHARS and any(ch.isdigit() for ch in q):
        keys: list[str] = []
        digits = "".join(ch for ch in q if ch.isdigit())
        if not q.startswith("+") and looks_like_card_number(digits):
            keys.append(card_key(digits))
        with contextlib.suppress(InvalidPhone):
            keys.append(phone_key(normalise_phone(q, default_region)))
        return SearchPlan(keys=keys)
    return SearchPlan(name=normalise_name(q))
