"""MongoDB access for `answers`: every inbound reply (`_id` = the provider's message
id), matched or not."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

ANSWERS = "answers"


class AnswerStore:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.answers = db[ANSWERS]

    async def add(self, doc: Mapping[str, Any]) -> bool:
        try:
            await self.answers.insert_one(dict(doc))
        except DuplicateKeyError:
            return False
        return True

    async def get(self, answer_id: str) -> dict[str, Any] | None:
        return await self.answers.find_one({"_id": answer_id})

    async def count(self) -> int:
        return await self.answers.count_documents({})

    async def redact_client(self, client_id: str) -> None:
        """Erasure (an admin scan): the replies of one client lose their text and phone."""
        async for doc in self.answers.find({"client_id": client_id}, {"_id": 1}):
            await self.answers.update_one(
                {"_id": doc["_id"]}, {"$set": {"phone": None, "text": None, "comment": None}}
            )
