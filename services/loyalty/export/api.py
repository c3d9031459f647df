"""Loyalty's part of a client's data export: the bonus account, the ledger, receipts of
purchases and redemptions (shared/privacy_export.py)."""

from __future__ import annotations

from typing import Any

from shared.privacy_export import Db, Documents, export_router


async def sections(_db: Db, client_id: str, found: Documents) -> dict[str, Any]:
    ledger = sorted(found.get("ledger", []), key=lambda e: str(e.get("id")))
    return {
        "account": next((d for d in found.get("accounts", ()) if d.get("id") == client_id), None),
        "ledger": ledger,
        "receipts": found.get("receipts", []),
        "redemptions": [e for e in ledger if e.get("kind") == "redemption"],
    }


router = export_router("loyalty", sections)
