"""Custom categories and tags (the built-in ones live in model.py): one `CodeBook` of
each, kept by code as `_id`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any, Generic, TypeVar

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.registry.catalog.model import (
    BUILT_IN_CATEGORIES,
    BUILT_IN_TAGS,
    Category,
    Code,
    CodeTaken,
    Tag,
    UnknownCode,
)

CATEGORIES = "categories"
TAGS = "tags"

C = TypeVar("C", bound=Code)


class CodeBook(Generic[C]):
    """One kind of code: the built-in ones and those an admin made (a handful of
    documents: the one place the registry reads a whole, small, collection)."""

    def __init__(
        self,
        collection: AsyncCollection[dict[str, Any]],
        kind: str,
        model: type[C],
        built_in: Mapping[str, C],
    ) -> None:
        self.collection = collection
        self.kind = kind
        self.model = model
        self.built_in = built_in

    def _of(self, doc: Mapping[str, Any]) -> C:
        return self.model.model_validate({**doc, "code": doc["_id"]})

    async def create(self, item: C) -> C:
        """Add a custom code (never a built-in one's); answers it as stored."""
        if item.code in self.built_in:
            raise CodeTaken(f"{self.kind} {item.code} is built in")
        custom = item.model_copy(update={"built_in": False})
        try:
            await self.collection.insert_one(
                custom.model_dump(exclude={"code", "built_in"}) | {"_id": custom.code}
            )
        except DuplicateKeyError:
            raise CodeTaken(f"{self.kind} {item.code} exists already") from None
        return custom

    async def list(self) -> list[C]:
        custom = [self._of(d) async for d in self.collection.find({})]
        return [*self.built_in.values(), *sorted(custom, key=lambda c: c.code)]

    async def get(self, code: str) -> C:
        if code in self.built_in:
            return self.built_in[code]
        doc = await self.collection.find_one({"_id": code})
        if doc is None:
            raise UnknownCode(f"{self.kind} {code!r} does not exist")
        return self._of(doc)


class CatalogRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.categories = CodeBook(db[CATEGORIES], "category", Category, BUILT_IN_CATEGORIES)
        self.tags = CodeBook(db[TAGS], "tag", Tag, BUILT_IN_TAGS)

    async def category(self, code: str) -> Category:
        return await self.categories.get(code)

    async def tag(self, code: str) -> Tag:
        return await self.tags.get(code)

    async def tags_of(self, codes: Iterable[str]) -> list[Tag]:
        return list(await asyncio.gather(*(self.tags.get(c) for c in codes)))
