"""Outreach rules: message ids, sampling, quiet hours and whether a client may be contacted.

Every outbound SMS passes `contact_decision`: the first rule that refuses names the
reason recorded on the skipped message (no_consent, opted_out, open_complaint,
budget_exhausted, quiet_hours, ...).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from typing import Literal
from uuid import NAMESPACE_URL, uuid5
from zoneinfo import ZoneInfo

from services.surveys.clients.model import KnownClient

MessageKind = Literal["survey", "re_survey", "birthday", "name_day", "win_back"]
SURVEY_KINDS: frozenset[str] = frozenset({"survey", "re_survey"})


@dataclass(frozen=True)
class ContactState:
    """Everything beyond the client that decides whether a message may go out."""

    opted_out: bool
    open_complaints: int
    sent_in_window: int


@dataclass(frozen=True)
class Policy:
    budget: int
    quiet_start: int
    quiet_end: int
    timezone: str


def message_id(*parts: str) -> str:
    """A deterministic id: the same trigger (event, purchase, day) makes the same message."""
    return uuid5(NAMESPACE_URL, "clientele-surveys:" + "|".join(parts)).hex


def sampled(purchase_id: str, rate: float) -> bool:
    """Deterministic sampling, so a redelivered purchase makes the same choice."""
    if rate >= 1:
        return True
    digest = hashlib.sha256(purchase_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def in_quiet_hours(at: datetime, policy: Policy) -> bool:
    if policy.quiet_start == policy.quiet_end:
        return False
    hour = at.astimezone(ZoneInfo(policy.timezone)).hour
    if policy.quiet_start < policy.quiet_end:
        return policy.quiet_start <= hour < policy.quiet_end
    return hour >= policy.quiet_start or hour < policy.quiet_end


def quiet_hours_end(at: datetime, policy: Policy) -> datetime:
    """The first moment after `at` outside quiet hours (at itself when not quiet)."""
    if not in_quiet_hours(at, policy):
        return at
    tz = ZoneInfo(policy.timezone)
    local = at.astimezone(tz)
    end = datetime.combine(local.date(), time(policy.quiet_end), tz)
    if end <= local:
        end += timedelta(days=1)
    return end.astimezone(UTC)


def contact_decision(
    client: KnownClient | None,
    state: ContactState,
    policy: Policy,
    kind: str,
    send_at: datetime,
) -> str | None:
    """None when the message may go out at `send_at`; else the reason it may not."""
    if client is None:
        return "unknown_client"
    if client.erased:
        return "erased"
    if not client.phone:
        return "no_phone"
    if not client.sms_consent:
        return "no_consent"
    if state.opted_out:
        return "opted_out"
    if kind in SURVEY_KINDS and state.open_complaints > 0:
        return "open_complaint"
    if state.sent_in_window >= policy.budget:
        return "budget_exhausted"
    if kind in SURVEY_KINDS and in_quiet_hours(send_at, policy):
        return "quiet_hours"  # a survey hours after the visit is worthless: skip it
    return None


def sent_within(times: Sequence[datetime], now: datetime, window_days: int) -> int:
    since = now - timedelta(days=window_days)
    return sum(1 for t in times if t > since)


@dataclass(frozen=True)
class Visit:
    """A purchase to survey, with its client and what was stored before its batch."""

    message_id: str
    client: KnownClient | None  # None: merged into a client not known
    state: ContactState  # opt-out, open complaints, messages sent before this batch
    skip: str | None = None  # decided before the contact rules (not_sampled)


def decide_visits(visits: Sequence[Visit], policy: Policy, send_at: datetime) -> list[str | None]:
    """Why each visit's survey may not go out (None: it goes), in the batch's order: a
    survey scheduled earlier in the batch counts against the client's budget for the
    later ones, as if they had come one by one."""
    scheduled: Counter[str] = Counter()
    reasons: list[str | None] = []
    for visit in visits:
        client_id = visit.client.client_id if visit.client else ""
        earlier = scheduled[client_id]
        state = replace(visit.state, sent_in_window=visit.state.sent_in_window + earlier)
        reason = visit.skip or contact_decision(visit.client, state, policy, "survey", send_at)
        if reason is None:
            scheduled[client_id] += 1
        reasons.append(reason)
    return reasons
