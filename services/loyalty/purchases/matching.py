"""Which client a purchase belongs to: client id, else card number, else phone.

Loyalty keeps its own lookup documents (`card:<n>`, `phone:<e164>` -> client id) from
`client.registered`/`client.updated`, so matching is point reads only. The keys are
built by `shared.identity`, as in every service; a phone that cannot be read raises
`InvalidPhone` (the purchase is parked, docs/identity.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from services.loyalty.accounts.repository import AccountRepository
from shared.contracts.pos import ClientRef, PurchaseRecorded
from shared.identity import reference_keys


def identity_keys(ref: ClientRef | None, region: str) -> list[str]:
    """The keys a client reference names, most specific first."""
    if ref is None:
        return []
    return reference_keys(region, ref.client_id, ref.card_number, ref.phone)


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
