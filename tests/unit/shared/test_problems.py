"""The one error table: every kind of domain error has its status, and an error
answers the same way in every service (and as a problem document at the gateway)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from shared import problems
from shared.problems import (
    STATUSES,
    Conflict,
    DomainError,
    Invalid,
    NotFound,
    TooManyRequests,
    answer,
)

ROOT = Path(__file__).resolve().parents[3]


class CaseStuck(Conflict):
    def problem_fields(self) -> dict[str, Any]:
        return {"status": "new", "allowed": ["in_progress"]}


@pytest.mark.parametrize("kind,status", sorted(STATUSES.items(), key=lambda kv: kv[1]))
def test_every_kind_and_its_subclasses_answer_with_the_kinds_status(
    kind: type[DomainError], status: int
) -> None:
    sub = type("Sub", (kind,), {})
    exc = sub("what went wrong", 5) if issubclass(kind, TooManyRequests) else sub("what went wrong")
    assert exc.problem_status() == status
    body = json.loads(bytes(answer(exc).body))
    assert body["detail"] == "what went wrong" and answer(exc).status_code == status


def test_kinds_stay_what_callers_caught_before() -> None:
    assert issubclass(NotFound, LookupError) and issubclass(Invalid, ValueError)


def test_a_service_answers_detail_and_fields_the_gateway_a_problem_document() -> None:
    service = json.loads(bytes(answer(CaseStuck("a new case cannot move to closed")).body))
    assert service == {
        "detail": "a new case cannot move to closed",
        "status": "new",
        "allowed": ["in_progress"],
    }
    gateway = answer(CaseStuck("no"), problem_json=True)
    body = json.loads(bytes(gateway.body))
    assert gateway.media_type == "application/problem+json"
    assert body["status"] == 409 and body["allowed"] == ["in_progress"]  # own members win
    assert problems.from_upstream(409, service)["current_status"] == "new"


def test_retry_after_travels_as_a_header() -> None:
    assert answer(TooManyRequests("slow down", 7)).headers["retry-after"] == "7"


def test_no_service_route_raises_an_http_exception_of_its_own() -> None:
    """Every refusal goes through the table (the gateway's auth guard and console
    pages, which answer for the gateway itself, aside)."""
    allowed = {"services/gateway/auth/guard.py", "services/gateway/console/api.py"}
    raising = {
        str(p.relative_to(ROOT))
        for p in (ROOT / "services").rglob("*.py")
        if re.search(r"(?<!Starlette)HTTPException\(", p.read_text())
    }
    assert raising <= allowed, raising - allowed
