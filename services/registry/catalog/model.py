"""Categories and behaviour tags: the built-in ones and the rules for custom ones.

The registry announces a client's category; what a category means for prices, rates
or prepayment is loyalty's business.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from shared.problems import Conflict, Invalid

CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


class UnknownCode(Invalid):
    """A category or tag code nobody created (named in a request: a 422)."""


class CodeTaken(Conflict):
    pass


class Code(BaseModel):
    """What every category and tag has (catalog/repository.py keeps both alike)."""

    code: str = Field(pattern=CODE.pattern)
    name: str = Field(min_length=1, max_length=100)
    built_in: bool = False


class Category(Code):
    description: str = Field("", max_length=1000)


class Tag(Code):
    tips: str = Field(min_length=1, max_length=2000, description="how staff handle such a client")


BUILT_IN_CATEGORIES = {
    c.code: c
    for c in (
        Category(code="regular", name="Regular", description="Every client to begin with"),
        Category(code="vip", name="VIP", description="Clients the business cares for most"),
        Category(code="problem", name="Problem", description="Prepayment only"),
        Category(code="employee", name="Employee", description="Staff buying at special prices"),
    )
}
for _c in BUILT_IN_CATEGORIES.values():
    _c.built_in = True

BUILT_IN_TAGS = {
    t.code: t
    for t in (
        Tag(
            code="indecisive",
            name="Indecisive",
            tips="Offer two or three options, give time, follow up.",
        ),
        Tag(
            code="highly_critical",
            name="Highly critical",
            tips="Facts, specifics, documented answers.",
        ),
        Tag(
            code="aggressive",
            name="Aggressive",
            tips="Stay calm, listen, do not argue, move to a private channel, involve a manager.",
        ),
    )
}
for _t in BUILT_IN_TAGS.values():
    _t.built_in = True
