"""Priority from the client's value, and the workflow's allowed moves."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from services.complaints.cases.model import Case, InvalidTransition, KnownClient, transition
from services.complaints.priority.model import ValuePolicy, decide_priority

POLICY = ValuePolicy(frozenset({"vip"}), frozenset({"platinum"}), Decimal("5000.00"))
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)


def client(**kw: object) -> KnownClient:
    return KnownClient(client_id="c", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("who", "reason"),
    [
        (client(category="vip"), "category:vip"),
        (client(tier="platinum"), "tier:platinum"),
        (client(lifetime_spend=Decimal("5000.00")), "lifetime_spend:5000.00"),
    ],
)
def test_a_complaint_from_a_valuable_client_is_critical_and_escalates(
    who: KnownClient, reason: str
) -> None:
    decision = decide_priority("complaint", who, POLICY)
    assert decision.priority == "critical"
    assert decision.escalate
    assert reason in decision.reasons


def test_a_regular_client_gets_the_priority_of_the_kind_without_escalation() -> None:
    regular = client(tier="silver", lifetime_spend=Decimal("4999.99"))
    assert decide_priority("complaint", regular, POLICY).priority == "normal"
    assert decide_priority("claim", regular, POLICY).priority == "high"
    assert decide_priority("suggestion", regular, POLICY).priority == "low"
    assert not decide_priority("claim", regular, POLICY).escalate


def test_a_suggestion_from_a_vip_is_raised_but_not_escalated() -> None:
    decision = decide_priority("suggestion", client(category="vip"), POLICY)
    assert (decision.priority, decision.escalate) == ("normal", False)


def test_a_problem_client_is_noted_on_the_case() -> None:
    assert decide_priority("claim", client(category="problem"), POLICY).notes == ("problem_client",)


def case(status: str) -> Case:
    return Case(
        id="k",
        client_id="c",
        kind="complaint",
        channel="phone",
        topic="other",
        priority="normal",
        status=status,  # type: ignore[arg-type]
        opened_at=NOW,
        first_response_due=NOW,
        resolution_due=NOW,
    )


def test_new_cannot_jump_to_resolved_and_the_error_names_where_it_can_go() -> None:
    with pytest.raises(InvalidTransition) as err:
        transition(case("new"), "resolved", "ann", NOW, None)
    assert err.value.allowed == ["in_progress"]


def test_the_first_move_out_of_new_is_the_first_response() -> None:
    change = transition(case("new"), "in_progress", "ann", NOW, "called back")
    assert change.fields["first_response_at"] == NOW
    assert change.entry.actor == "ann" and change.entry.comment == "called back"


def test_moving_a_closed_case_back_to_work_is_a_reopen() -> None:
    change = transition(case("closed"), "in_progress", "ann", NOW, None)
    assert change.entry.action == "reopen"
    assert change.fields["closed_at"] is None
