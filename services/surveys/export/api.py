"""Surveys' part of a client's data export: messages sent, answers and scores
(shared/privacy_export.py)."""

from __future__ import annotations

from typing import Any

from shared.privacy_export import Db, Documents, export_router


async def sections(_db: Db, client_id: str, found: Documents) -> dict[str, Any]:
    return {
        "messages": found.get("messages", []),
        "answers": found.get("answers", []),
        "scores": next((d for d in found.get("client_scores", ()) if d["id"] == client_id), None),
    }


router = export_router("surveys", sections)
