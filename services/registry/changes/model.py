"""Pure rules of changing a client card: what changed, what the history keeps."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.registry.identity.model import (
    Channel,
    Client,
    Consent,
    HistoryEntry,
    InvalidClientData,
    consent_changes,
    normalise_email,
    normalise_name_day,
    normalise_phone,
)
from services.registry.search.model import normalise_name


class ClientChanges(BaseModel):
    """A PATCH of the card: only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    phones: list[str] | None = None
    email: str | None = Field(None, max_length=200)
    birthday: date | None = None
    name_day: str | None = None
    language: str | None = Field(None, max_length=20)
    notes: str | None = Field(None, max_length=5000)
    category: str | None = None
    manager_id: str | None = Field(None, max_length=100)
    tags: list[str] | None = None
    consents: dict[Channel, bool] | None = None
    consent_source: str = "front_desk"
    reason: str | None = Field(None, max_length=1000)
    actor: str | None = Field(None, max_length=100)


def _normalised(changes: ClientChanges, region: str) -> dict[str, Any]:
    given = changes.model_dump(exclude_unset=True, exclude={"consent_source", "reason", "actor"})
    if "name" in given:
        given["name"] = " ".join(str(given["name"]).split())
        given["name_norm"] = normalise_name(given["name"])
    if given.get("phones") is not None:
        given["phones"] = list(dict.fromkeys(normalise_phone(p, region) for p in given["phones"]))
    if given.get("email"):
        given["email"] = normalise_email(given["email"])
    if given.get("name_day"):
        given["name_day"] = normalise_name_day(given["name_day"])
    if given.get("tags") is not None:
        given["tags"] = list(dict.fromkeys(given["tags"]))
    return given


def _consents(client: Client, wanted: dict[Channel, bool], source: str, at: datetime) -> Any:
    consents = dict(client.consents)
    for channel, granted in wanted.items():
        old = consents.get(channel)
        if old is None or old.granted != granted:
            consents[channel] = Consent(granted=granted, at=at, source=source)
    return consents


def apply_changes(
    client: Client, changes: ClientChanges, region: str, at: datetime
) -> tuple[Client, list[str]]:
    """The card after `changes`, and the names of the fields that really changed."""
    given = _normalised(changes, region)
    if "consents" in given:
        given["consents"] = _consents(client, changes.consents or {}, changes.consent_source, at)
    changed = [k for k, v in given.items() if getattr(client, k) != v]
    if "category" in changed and not changes.reason:
        raise InvalidClientData("changing the category needs a reason")
    if "category" in changed and given["category"] is None:
        raise InvalidClientData("category cannot be empty")
    history = list(client.history)
    for field in ("category", "manager_id"):
        if field in changed:
            history.append(
                HistoryEntry(
                    field=field,
                    old=getattr(client, field),
                    new=given[field],
                    reason=changes.reason,
                    actor=changes.actor,
                    at=at,
                )
            )
    consented = consent_changes(client.consents, given.get("consents", {}), changes.actor)
    updated = client.model_copy(
        update=given | {"history": history, "consent_history": client.consent_history + consented}
    )
    updated = Client.model_validate(updated.model_dump())
    return updated, changed


def changed_values(client: Client, fields: list[str]) -> dict[str, Any]:
    """The new values of `fields` as JSON (what `client.updated` carries)."""
    data = client.model_dump(mode="json")
    public = {"name_norm"}
    return {f: data[f] for f in fields if f not in public}
