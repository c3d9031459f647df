"""Complaints' part of a client's data export: cases with their history, goodwill
(shared/privacy_export.py)."""

from __future__ import annotations

from typing import Any

from shared.privacy_export import Db, Documents, export_router


async def sections(_db: Db, client_id: str, found: Documents) -> dict[str, Any]:
    return {
        "cases": found.get("cases", []),
        "goodwill": found.get("goodwill", []),
    }


router = export_router("complaints", sections)
