"""A batch of visits is decided as if its purchases had come one by one."""

from __future__ import annotations

from datetime import UTC, datetime

from services.surveys.clients.model import KnownClient
from services.surveys.outreach.model import ContactState, Policy, Visit, decide_visits

POLICY = Policy(budget=2, quiet_start=21, quiet_end=8, timezone="Europe/Berlin")
NOON = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # 12:00 in Berlin
NIGHT = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)  # 23:00 in Berlin
ADA = KnownClient(client_id="ada", name="Ada", phone="+4930555", sms_consent=True)
BOB = KnownClient(client_id="bob", name="Bob", phone="+4930556", sms_consent=True)
FREE = ContactState(opted_out=False, open_complaints=0, sent_in_window=0)


def test_surveys_scheduled_earlier_in_the_batch_count_against_the_budget() -> None:
    once = ContactState(opted_out=False, open_complaints=0, sent_in_window=1)
    visits = [Visit("m1", ADA, once), Visit("m2", BOB, FREE), Visit("m3", ADA, once)]
    visits += [Visit("m4", BOB, FREE), Visit("m5", BOB, FREE)]
    assert decide_visits(visits, POLICY, NOON) == [
        None,
        None,
        "budget_exhausted",
        None,
        "budget_exhausted",
    ]


def test_a_skipped_survey_leaves_the_budget_to_the_next_visit() -> None:
    visits = [Visit("m1", ADA, FREE, skip="not_sampled"), Visit("m2", ADA, FREE)]
    visits += [Visit("m3", ADA, FREE), Visit("m4", ADA, FREE)]
    assert decide_visits(visits, POLICY, NOON) == ["not_sampled", None, None, "budget_exhausted"]


def test_every_rule_of_a_single_visit_holds_in_a_batch() -> None:
    erased = ADA.model_copy(update={"erased": True})
    silent = BOB.model_copy(update={"sms_consent": False})
    opted_out = ContactState(opted_out=True, open_complaints=0, sent_in_window=0)
    complaining = ContactState(opted_out=False, open_complaints=1, sent_in_window=0)
    visits = [
        Visit("m1", erased, FREE),
        Visit("m2", silent, FREE),
        Visit("m3", BOB, opted_out),
        Visit("m4", BOB, complaining),
        Visit("m5", None, FREE),
    ]
    reasons = ["erased", "no_consent", "opted_out", "open_complaint", "unknown_client"]
    assert decide_visits(visits, POLICY, NOON) == reasons
    assert decide_visits([Visit("m6", ADA, FREE)], POLICY, NIGHT) == ["quiet_hours"]
