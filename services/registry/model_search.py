"""What a search query is: a card number, a phone, an email, or the start of a name."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from services.registry.model import InvalidClientData, InvalidPhone, normalise_email
from services.registry.model import normalise_phone as e164
from services.registry.model_cards import luhn_valid
from services.registry.model_names import normalise_name

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
            return SearchPlan(keys=[f"email:{normalise_email(q)}"])
        except InvalidClientData:
            return SearchPlan()
    if q and set(q) <= PHONE_CHARS and any(ch.isdigit() for ch in q):
        keys: list[str] = []
        digits = "".join(ch for ch in q if ch.isdigit())
        if not q.startswith("+") and len(digits) >= 8 and luhn_valid(digits):
            keys.append(f"card:{digits}")
        with contextlib.suppress(InvalidPhone):
            keys.append(f"phone:{e164(q, default_region)}")
        return SearchPlan(keys=keys)
    return SearchPlan(name=normalise_name(q))
