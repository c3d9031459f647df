"""Response models of the dead-letter view."""

from __future__ import annotations

from pydantic import BaseModel


class DeadLetter(BaseModel):
    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    reason: str | None
    original_topic: str | None
    key: str | None
    value: str


class DeadLetters(BaseModel):
    topic: str
    letters: list[DeadLetter]
    held: int  # letters the topic holds now, on every partition
    next_before: str | None  # pass as `before` for the next, older page; None at the end
