"""What a search query is: a card number, a phone, an email, or the start of a name."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from services.registry.model import Client, InvalidClientData, normalise_email
from services.registry.model_names import normalise_name
from shared.identity import (
    InvalidPhone,
    card_key,
    email_key,
    looks_like_card_number,
    normalise_phone,
    phone_key,
)

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
        except InvalidClientData:
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


def search_summary(client: Client) -> dict[str, Any]:
    """What a search result shows of a client; kept on its lookup documents too, so a
    card, phone or email search is one point read (a merged one: its survivor's id)."""
    if client.status == "merged":
        return {"id": client.id, "status": "merged", "merged_into": client.merged_into}
    return {
        "id": client.id,
        "status": client.status,
        "name": client.name,
        "phone": client.phone,
        "email": client.email,
        "card_number": client.card_number,
        "category": client.category,
        "birthday": client.birthday.isoformat() if client.birthday else None,
    }
