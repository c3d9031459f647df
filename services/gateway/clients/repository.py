"""The gateway's card view: the parts of the client card that change seldom, kept in
one document per client (`card_views`, `_id` = client id) so a card is one point read
here plus the registry's and loyalty's own.

- `complaints`: the complaints service's answer for the client's open cases, as it
  answered; removed when a `complaint.*` event or a complaints write through the
  gateway says it changed (read again on the next card).
- `scores`: the surveys service's answer (latest scores), as it answered; `answers`: the
  `survey.answered` events seen since, merged in when shown (model.scores_with), so an
  answer shows even if surveys has not counted it yet when the card is read.

Loyalty's part is not kept: a balance changes with every purchase, and a purchase is
far more frequent than a card read (docs/benchmarks.md, "The client card").
"""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from shared.store.upserts import upsert

CARD_VIEWS = "card_views"


class CardViews:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.views = db[CARD_VIEWS]

    async def get(self, client_id: str) -> dict[str, Any]:
        return await self.views.find_one({"_id": client_id}) or {}

    async def keep(self, client_id: str, parts: dict[str, Any]) -> None:
        """Remember parts read from their services (one write, only after a miss)."""
        await upsert(self.views, client_id, {"$set": parts})

    async def forget_complaints(self, client_id: str) -> None:
        await self.views.update_one({"_id": client_id}, {"$unset": {"complaints": ""}})

    async def note_answer(self, client_id: str, answer: dict[str, Any]) -> None:
        """`$addToSet`: the same event delivered twice adds nothing."""
        await upsert(self.views, client_id, {"$addToSet": {"answers": answer}})

    async def forget(self, client_id: str) -> None:
        await self.views.delete_one({"_id": client_id})
