"""The registry's part of a client's data export: the card, its history, consents with
their history (when, source, actor), cards, tags and managers (shared/privacy_export.py)."""

from __future__ import annotations

from typing import Any

from services.registry.identity.model import ClientNotFound
from shared.privacy_export import Db, Documents, export_router


async def sections(_db: Db, client_id: str, found: Documents) -> dict[str, Any]:
    card = next((d for d in found.get("clients", ()) if d.get("id") == client_id), None)
    if card is None:
        raise ClientNotFound(client_id)
    history = list(card.get("history") or [])
    return {
        "card": card,
        "history": history,
        "consents": card.get("consents") or {},
        "consent_history": card.get("consent_history") or [],
        "cards": card.get("cards") or [],
        "tags": card.get("tags") or [],
        "manager_history": [h for h in history if h.get("field") == "manager_id"],
    }


router = export_router("registry", sections)
