"""MongoDB access for `templates`: `<kind>:<language>` -> text, edited by staff."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from shared.store.upserts import upsert

TEMPLATES = "templates"


class TemplateStore:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.templates = db[TEMPLATES]

    async def get(self, key: str) -> str | None:
        doc = await self.templates.find_one({"_id": key})
        return str(doc["text"]) if doc else None

    async def put(self, key: str, text: str, at: datetime) -> None:
        doc = {"_id": key, "text": text, "updated_at": at}
        await upsert(self.templates, key, doc, replace=True)

    async def all(self) -> dict[str, str]:
        return {d["_id"]: d["text"] async for d in self.templates.find({})}
