"""Custom categories and tags (the built-in ones live in model_catalog)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.registry.catalog.model import (
    BUILT_IN_CATEGORIES,
    BUILT_IN_TAGS,
    Category,
    CodeTaken,
    Tag,
    UnknownCode,
)

CATEGORIES = "categories"
TAGS = "tags"


class CatalogRepository:
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self.categories = db[CATEGORIES]
        self.tags = db[TAGS]

    async def create_category(self, category: Category) -> None:
        if category.code in BUILT_IN_CATEGORIES:
            raise CodeTaken(f"category {category.code} is built in")
        try:
            await self.categories.insert_one(
                category.model_dump(exclude={"code", "built_in"}) | {"_id": category.code}
            )
        except DuplicateKeyError:
            raise CodeTaken(f"category {category.code} exists already") from None

    async def list_categories(self) -> list[Category]:
        # A handful of documents an admin made: the one place the registry reads a
        # whole (small) collection.
        custom = [Category(code=d["_id"], **d) async for d in self.categories.find({})]
        return [*BUILT_IN_CATEGORIES.values(), *sorted(custom, key=lambda c: c.code)]

    async def category(self, code: str) -> Category:
        if code in BUILT_IN_CATEGORIES:
            return BUILT_IN_CATEGORIES[code]
        doc = await self.categories.find_one({"_id": code})
        if doc is None:
            raise UnknownCode(f"category {code!r} does not exist")
        return Category(code=doc["_id"], name=doc["name"], description=doc["description"])

    async def create_tag(self, tag: Tag) -> None:
        if tag.code in BUILT_IN_TAGS:
            raise CodeTaken(f"tag {tag.code} is built in")
        try:
            await self.tags.insert_one(
                tag.model_dump(exclude={"code", "built_in"}) | {"_id": tag.code}
            )
        except DuplicateKeyError:
            raise CodeTaken(f"tag {tag.code} exists already") from None

    async def list_tags(self) -> list[Tag]:
        custom = [Tag(code=d["_id"], **d) async for d in self.tags.find({})]
        return [*BUILT_IN_TAGS.values(), *sorted(custom, key=lambda t: t.code)]

    async def tag(self, code: str) -> Tag:
        if code in BUILT_IN_TAGS:
            return BUILT_IN_TAGS[code]
        doc = await self.tags.find_one({"_id": code})
        if doc is None:
            raise UnknownCode(f"tag {code!r} does not exist")
        return Tag(code=doc["_id"], name=doc["name"], tips=doc["tips"])

    async def tags_of(self, codes: Iterable[str]) -> list[Tag]:
        return list(await asyncio.gather(*(self.tag(c) for c in codes)))
