"""The pure rules of contacting a client: each one refuses with its own reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.surveys.clients.model import KnownClient
from services.surveys.outreach.model import (
    ContactState,
    Policy,
    contact_decision,
    in_quiet_hours,
    quiet_hours_end,
    sampled,
    sent_within,
)

POLICY = Policy(budget=2, quiet_start=21, quiet_end=8, timezone="Europe/Berlin")
NOON = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # 12:00 in Berlin
CLIENT = KnownClient(client_id="c", name="Ada", phone="+4930555", sms_consent=True)
FREE = ContactState(opted_out=False, open_complaints=0, sent_in_window=0)


def decide(
    client: KnownClient | None = CLIENT, state: ContactState = FREE, **kw: object
) -> str | None:
    kind = str(kw.get("kind", "survey"))
    at = kw.get("at", NOON)
    assert isinstance(at, datetime)
    return contact_decision(client, state, POLICY, kind, at)


def test_a_consenting_client_at_noon_may_be_asked() -> None:
    assert decide() is None


@pytest.mark.parametrize(
    ("client", "state", "reason"),
    [
        (None, FREE, "unknown_client"),
        (CLIENT.model_copy(update={"erased": True}), FREE, "erased"),
        (CLIENT.model_copy(update={"phone": None}), FREE, "no_phone"),
        (CLIENT.model_copy(update={"sms_consent": False}), FREE, "no_consent"),
        (CLIENT, ContactState(True, 0, 0), "opted_out"),
        (CLIENT, ContactState(False, 1, 0), "open_complaint"),
        (CLIENT, ContactState(False, 0, 2), "budget_exhausted"),
    ],
)
def test_each_rule_refuses_with_its_reason(
    client: KnownClient | None, state: ContactState, reason: str
) -> None:
    assert decide(client, state) == reason


def test_a_survey_in_quiet_hours_is_refused_but_a_greeting_is_not() -> None:
    late = datetime(2026, 11, 23, 21, 30, tzinfo=UTC)  # 22:30 in Berlin
    assert decide(at=late) == "quiet_hours"
    assert decide(at=late, kind="birthday") is None


def test_an_open_complaint_does_not_stop_a_birthday_greeting() -> None:
    assert decide(state=ContactState(False, 1, 0), kind="birthday") is None


def test_quiet_hours_wrap_midnight_in_the_local_time_zone() -> None:
    berlin = [datetime(2026, 11, 23, h, 0, tzinfo=UTC) for h in (19, 20, 23, 6, 7)]
    assert [in_quiet_hours(t, POLICY) for t in berlin] == [False, True, True, True, False]
    assert not in_quiet_hours(NOON, Policy(2, 0, 0, "UTC"))  # start == end: none


def test_a_deferred_message_goes_out_when_quiet_hours_end() -> None:
    late = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
    assert quiet_hours_end(late, POLICY) == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    assert quiet_hours_end(NOON, POLICY) == NOON


def test_only_messages_within_the_window_use_the_budget() -> None:
    times = [NOON - timedelta(days=d) for d in (1, 29, 31, 90)]
    assert sent_within(times, NOON, 30) == 2


def test_sampling_is_deterministic_and_close_to_the_rate() -> None:
    picks = [sampled(f"p-{n}", 0.3) for n in range(2000)]
    assert picks == [sampled(f"p-{n}", 0.3) for n in range(2000)]
    assert 0.25 < sum(picks) / len(picks) < 0.35
    assert all(sampled(f"p-{n}", 1.0) for n in range(10))
    assert not any(sampled(f"p-{n}", 0.0) for n in range(10))
