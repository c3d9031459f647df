"""Which client a purchase belongs to: client id, else card number, else phone.

Loyalty keeps its own lookup documents (`card:<n>`, `phone:<e164>` -> client id) from
`client.registered`/`client.updated`, so matching is point reads only.
"""

from __future__ import annotations

from collections.abc import Sequence

import phonenumbers

from services.loyalty.repository import AccountRepository
from shared.contracts.pos import ClientRef, PurchaseRecorded


def normalize_phone(raw: str, region: str) -> str:
    """E.164 when the number parses, else the digits and a leading plus."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return "".join(c for c in raw if c.isdigit() or c == "+")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def identity_keys(ref: ClientRef | None, region: str) -> list[str]:
    """The keys a client reference names, most specific first."""
    if ref is None:
        return []
    keys = []
    if ref.client_id:
        keys.append(f"client:{ref.client_id}")
    if ref.card_number:
        keys.append(f"card:{ref.card_number.strip()}")
    if ref.phone:
        keys.append(f"phone:{normalize_phone(ref.phone, region)}")
    return keys


async def resolve_keys(repo: AccountRepository, keys: set[str]) -> dict[str, str]:
    direct = {k: k.removeprefix("client:") for k in keys if k.startswith("client:")}
    looked_up = await repo.lookup_many(k for k in keys if not k.startswith("client:"))
    return direct | looked_up


async def resolve_owners(
    repo: AccountRepository, purchases: Sequence[PurchaseRecorded], region: str
) -> dict[str, str | None]:
    """purchase_id -> client id (None: anonymous or not known yet)."""
    keys = {p.purchase_id: identity_keys(p.client, region) for p in purchases}
    found = await resolve_keys(repo, {k for ks in keys.values() for k in ks})
    return {pid: next((found[k] for k in ks if k in found), None) for pid, ks in keys.items()}
