"""The client as the registry knows it, and the pure rules of registering one."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal
from uuid import uuid4

from pydantic import BaseModel, Field

from services.registry.cards.model import Card
from services.registry.search.model import normalise_name
from shared import identity
from shared.identity import InvalidPhone as InvalidPhone  # re-exported
from shared.identity import normalise_phone as normalise_phone
from shared.problems import Conflict, Invalid, NotFound

Channel = Literal["sms", "email", "phone_call", "post"]
Status = Literal["active", "merged", "erased"]


class InvalidClientData(Invalid):
    """A field of the card is not acceptable (the message says which and why)."""


class DuplicateClient(Conflict):
    """A phone, email or card already belongs to another client."""

    def __init__(self, field: str, value: str, existing_client_id: str) -> None:
        super().__init__(f"{field} {value} already belongs to client {existing_client_id}")
        self.field = field
        self.value = value
        self.existing_client_id = existing_client_id

    def problem_fields(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "value": self.value,
            "existing_client_id": self.existing_client_id,
        }


class ClientNotFound(NotFound):
    def problem_detail(self) -> str:
        return f"no client {self}"


class ClientGone(Conflict):
    """The client was merged into another or erased: it takes no more changes."""

    def __init__(self, client_id: str, status: str, merged_into: str | None) -> None:
        where = f" into {merged_into}" if merged_into else ""
        super().__init__(f"client {client_id} is {status}{where}")
        self.status = status
        self.merged_into = merged_into

    def problem_fields(self) -> dict[str, Any]:
        return {"status": self.status, "merged_into": self.merged_into}


def now() -> datetime:
    return datetime.now(UTC)


def normalise_email(raw: str) -> str:
    """The shared rule; a bad address is one more invalid field of the card here."""
    try:
        return identity.normalise_email(raw)
    except identity.InvalidEmail as exc:
        raise InvalidClientData(str(exc)) from None


def normalise_name_day(raw: str) -> str:
    """`MM-DD` (the day of the saint or name the client celebrates)."""
    try:
        parsed = datetime.strptime(f"2000-{raw.strip()}", "%Y-%m-%d")
    except ValueError as exc:
        raise InvalidClientData(f"name_day {raw!r} must be MM-DD") from exc
    return parsed.strftime("%m-%d")


class Consent(BaseModel):
    granted: bool
    at: datetime
    source: str


class ConsentChange(BaseModel):
    """One consent given or withdrawn, kept for good: when, how (`source`), by whom."""

    channel: str
    granted: bool
    at: datetime
    source: str
    actor: str | None = None


def consent_changes(
    before: dict[Channel, Consent], after: dict[Channel, Consent], actor: str | None
) -> list[ConsentChange]:
    return [
        ConsentChange(channel=ch, granted=c.granted, at=c.at, source=c.source, actor=actor)
        for ch, c in after.items()
        if before.get(ch) != c
    ]


class HistoryEntry(BaseModel):
    """One change of category or manager, kept for good."""

    field: str
    old: str | None
    new: str | None
    reason: str | None = None
    actor: str | None = None
    at: datetime = Field(default_factory=now)


class Client(BaseModel):
    id: str = Field(default_factory=lambda: uuid4().hex)
    status: Status = "active"
    merged_into: str | None = None
    name: str
    name_norm: str = ""
    phones: list[str] = Field(default_factory=list)
    email: str | None = None
    birthday: date | None = None
    name_day: str | None = None
    language: str | None = None
    store_id: str | None = None
    employee_id: str | None = None
    first_contact_at: datetime = Field(default_factory=now)
    notes: str | None = None
    consents: dict[Channel, Consent] = Field(default_factory=dict)
    consent_history: list[ConsentChange] = Field(default_factory=list)
    category: str = "regular"
    tags: list[str] = Field(default_factory=list)
    manager_id: str | None = None
    cards: list[Card] = Field(default_factory=list)
    history: list[HistoryEntry] = Field(default_factory=list)
    registered_at: datetime = Field(default_factory=now)

    @property
    def phone(self) -> str | None:
        return self.phones[0] if self.phones else None

    @property
    def card_number(self) -> str | None:
        """The card the client uses now: the newest active one."""
        active = [c.number for c in self.cards if c.status == "active"]
        return active[-1] if active else None

    def to_doc(self) -> dict[str, Any]:
        """BSON has no date type: the birthday is stored as `YYYY-MM-DD`."""
        doc = self.model_dump(mode="python", exclude={"id"}) | {"_id": self.id}
        doc["birthday"] = self.birthday.isoformat() if self.birthday else None
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Client:
        return cls.model_validate(doc | {"id": doc["_id"]})


class ClientDraft(BaseModel):
    """What a registration form (or an import row) says, before normalisation."""

    name: str
    phone: str | None = None
    phones: list[str] = Field(default_factory=list)
    email: str | None = None
    birthday: date | None = None
    name_day: str | None = None
    language: str | None = None
    store_id: str | None = None
    employee_id: str | None = None
    first_contact_at: datetime | None = None
    notes: str | None = None
    consents: dict[Channel, bool] = Field(default_factory=dict)
    consent_source: str = "front_desk"
    category: str = "regular"
    tags: list[str] = Field(default_factory=list)
    manager_id: str | None = None
    card_number: str | None = None
    actor: str | None = None  # who registers (the consents' history names them)


def new_client(draft: ClientDraft, default_region: str) -> Client:
    """Normalise a draft into a client (no card yet; see cards/model.py)."""
    name = " ".join(draft.name.split())
    if not name:
        raise InvalidClientData("name must not be empty")
    raw_phones = ([draft.phone] if draft.phone else []) + draft.phones
    phones = list(dict.fromkeys(normalise_phone(p, default_region) for p in raw_phones if p))
    at = now()
    consents = {
        ch: Consent(granted=granted, at=at, source=draft.consent_source)
        for ch, granted in draft.consents.items()
    }
    return Client(
        name=name,
        name_norm=normalise_name(name),
        phones=phones,
        email=normalise_email(draft.email) if draft.email else None,
        birthday=draft.birthday,
        name_day=normalise_name_day(draft.name_day) if draft.name_day else None,
        language=draft.language,
        store_id=draft.store_id,
        employee_id=draft.employee_id,
        first_contact_at=draft.first_contact_at or at,
        notes=draft.notes,
        consents=consents,
        consent_history=consent_changes({}, consents, draft.actor),
        category=draft.category,
        tags=list(dict.fromkeys(draft.tags)),
        manager_id=draft.manager_id,
        registered_at=at,
    )


def search_summary(client: Client) -> dict[str, Any]:
    """What a search result shows of a client; kept on its lookup documents too, so a
    card, phone or email search is one point read (a merged one: its survivor's id)."""
    if client.status == "merged":
        return {"id": client.id, "status": "merged", "merged_into": client.merged_into}
    return {
        "id": client.id,
        "status": client.status,
        "name": client.name,
        "phone": client.phone,
        "email": client.email,
        "card_number": client.card_number,
        "category": client.category,
        "birthday": client.birthday.isoformat() if client.birthday else None,
    }
