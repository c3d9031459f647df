"""Replies to a survey: a score 0-10 with an optional comment, or STOP."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

_SCORE = re.compile(r"^\s*(10|[0-9])(?:\s*/\s*10)?(?:\s+|[.,!:;-]\s*|$)(.*)$", re.DOTALL)
STOP_WORDS = frozenset({"stop", "stopp", "unsubscribe", "end", "quit", "cancel"})


class ParsedReply(BaseModel):
    score: int | None = Field(None, ge=0, le=10)
    comment: str | None = None
    stop: bool = False


def parse_reply(text: str) -> ParsedReply:
    """ "9" -> 9; "9 great staff" -> 9 + comment; "STOP" -> opt-out; else unparsed."""
    stripped = text.strip()
    if stripped.lower().rstrip(".!") in STOP_WORDS:
        return ParsedReply(stop=True)
    found = _SCORE.match(stripped)
    if not found:
        return ParsedReply(comment=stripped or None)
    comment = found.group(2).strip() or None
    return ParsedReply(score=int(found.group(1)), comment=comment)
