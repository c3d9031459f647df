"""The complaints domain: a case, its workflow, and what complaints knows of a client.

Pure rules only (no I/O): the allowed status changes, what a change does to a case.
Priority, SLA clocks, goodwill, trends and problem-client evidence have their own
`model_*.py` modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field

from shared.contracts.complaints import CaseKind, Priority
from shared.problems import Conflict, Invalid, NotFound

Channel = Literal["phone", "email", "in_person", "sms_survey", "web"]
Status = Literal["new", "in_progress", "waiting_for_client", "resolved", "closed"]
Breach = Literal["first_response", "resolution"]

OPEN_STATUSES: frozenset[str] = frozenset({"new", "in_progress", "waiting_for_client"})

# The workflow: new -> in_progress -> waiting_for_client -> resolved -> closed;
# moving a resolved or closed case back to in_progress is a reopen.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("in_progress",),
    "in_progress": ("waiting_for_client", "resolved"),
    "waiting_for_client": ("in_progress", "resolved"),
    "resolved": ("closed", "in_progress"),
    "closed": ("in_progress",),
}


class CaseNotFound(NotFound):
    def problem_detail(self) -> str:
        return f"no complaint {self}"


class UnknownTopic(Invalid):
    def __init__(self, topic: str, known: list[str]) -> None:
        super().__init__(f"topic {topic!r} is not in the taxonomy; known topics: {known}")
        self.known = known

    def problem_fields(self) -> dict[str, Any]:
        return {"topics": self.known}


class InvalidTransition(Conflict):
    """The case cannot move to the status asked for; `allowed` names where it can go."""

    def __init__(self, current: str, wanted: str) -> None:
        self.current = current
        self.wanted = wanted
        self.allowed = list(TRANSITIONS.get(current, ()))
        super().__init__(
            f"a {current} case cannot move to {wanted}; allowed: {', '.join(self.allowed)}"
        )

    def problem_fields(self) -> dict[str, Any]:
        # `status` as the internal API always said it; the gateway passes it on as
        # `current_status` (a problem document's `status` is the HTTP status)
        return {"status": self.current, "allowed": self.allowed}


class KnownClient(BaseModel):
    """What complaints keeps of a client (projection of registry and loyalty events)."""

    client_id: str
    name: str | None = None
    phone: str | None = None
    card_number: str | None = None
    category: str = "regular"
    manager_id: str | None = None
    tags: list[str] = Field(default_factory=list)
    tier: str | None = None
    lifetime_spend: Decimal = Decimal("0")


class CaseDraft(BaseModel):
    """What staff (or a low survey score) tell us when a case is opened."""

    client_id: str = Field(min_length=1, max_length=100)
    kind: CaseKind = "complaint"
    channel: Channel
    topic: str = Field(min_length=1, max_length=100)
    text: str | None = Field(None, max_length=5000, description="the client's words, free text")
    purchase_id: str | None = Field(None, max_length=100)
    employee_id: str | None = Field(None, max_length=100)
    store_id: str | None = Field(None, max_length=100)
    received_at: datetime | None = Field(
        None, description="when the case reached us, if earlier than now (e.g. a letter)"
    )


class HistoryEntry(BaseModel):
    at: datetime
    actor: str | None
    action: str
    from_status: str | None = None
    to_status: str | None = None
    comment: str | None = None


class Escalation(BaseModel):
    at: datetime
    reason: str
    manager_id: str | None = None


class Case(BaseModel):
    id: str
    client_id: str
    kind: CaseKind
    channel: Channel
    topic: str
    text: str | None = None
    purchase_id: str | None = None
    employee_id: str | None = None
    store_id: str | None = None
    survey_id: str | None = None
    priority: Priority
    priority_reasons: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    manager_id: str | None = None
    client_category: str | None = None
    client_tier: str | None = None
    status: Status = "new"
    opened_at: datetime
    first_response_due: datetime
    resolution_due: datetime
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    resolution: str | None = None
    founded: bool | None = None
    breaches: list[Breach] = Field(default_factory=list)
    escalations: list[Escalation] = Field(default_factory=list)
    history: list[HistoryEntry] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @computed_field  # type: ignore[prop-decorator]
    @property
    def deadline(self) -> datetime | None:
        """The deadline staff work against now: first response, then resolution."""
        if not self.is_open:
            return None
        return self.first_response_due if self.first_response_at is None else self.resolution_due


def check_topic(topic: str, taxonomy: list[str]) -> str:
    if topic not in taxonomy:
        raise UnknownTopic(topic, taxonomy)
    return topic


@dataclass(frozen=True)
class StatusChange:
    """What one status change sets on a case, and the history entry that records it."""

    fields: dict[str, datetime | str | None]
    entry: HistoryEntry
    resolves: bool


def transition(
    case: Case, to: str, actor: str | None, at: datetime, comment: str | None
) -> StatusChange:
    """Decide one status change, or raise InvalidTransition naming the allowed ones."""
    if to not in TRANSITIONS.get(case.status, ()):
        raise InvalidTransition(case.status, to)
    reopen = case.status in ("resolved", "closed") and to == "in_progress"
    fields: dict[str, datetime | str | None] = {"status": to}
    if case.first_response_at is None:
        fields["first_response_at"] = at
    if to == "resolved":
        fields["resolved_at"] = at
    if to == "closed":
        fields["closed_at"] = at
    if reopen:
        fields.update(resolved_at=None, closed_at=None)
    entry = HistoryEntry(
        at=at,
        actor=actor,
        action="reopen" if reopen else "status",
        from_status=case.status,
        to_status=to,
        comment=comment,
    )
    return StatusChange(fields, entry, resolves=to == "resolved")
