"""Request models of the card routes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CardRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    card_number: str | None = Field(
        None, max_length=40, description="a plastic card to bind; omit to issue a new number"
    )


class BlockCardRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


class ReplaceCardRequest(BlockCardRequest):
    card_number: str | None = Field(None, max_length=40, description="plastic successor card")
