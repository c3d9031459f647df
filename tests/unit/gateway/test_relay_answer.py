"""The gateway passes every refusal a service can give on whole: the statuses no
service answers today (400, 403, 429) included, fields named like the problem
document's own members too."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.gateway.upstream import Answer, relay_answer


def answered(status: int, body: Any = None, text: str | None = None) -> Answer:
    """A service's answer as the gateway's client reads it."""
    content = text.encode() if text is not None else json.dumps(body).encode()
    return Answer(status, {"content-type": "application/json"}, content)


FIELDS: dict[str, Any] = {
    "status": "new",
    "title": "the service's own title",
    "allowed": ["in_progress"],
    "existing_client_id": "c1",
    "retry_after_s": 30,
}


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 429])
def test_a_refusal_keeps_its_status_detail_and_fields(status: int) -> None:
    upstream = answered(status, {"detail": f"refused with {status}", **FIELDS})
    answer = relay_answer(upstream)
    body = json.loads(bytes(answer.body))
    assert answer.status_code == status
    assert answer.media_type == "application/problem+json"
    assert body["status"] == status and body["detail"] == f"refused with {status}"
    assert body["current_status"] == "new" and body["title"] != FIELDS["title"]
    assert body["allowed"] == ["in_progress"] and body["existing_client_id"] == "c1"
    assert body["retry_after_s"] == 30 and body["type"] == "about:blank"


def test_a_validation_error_list_is_kept_and_said_in_one_sentence() -> None:
    errors = [{"loc": ["body", "phone"], "msg": "not a phone number", "type": "value_error"}]
    body = json.loads(bytes(relay_answer(answered(422, {"detail": errors})).body))
    assert body["errors"] == errors and body["detail"] == "phone: not a phone number"


@pytest.mark.parametrize(
    "upstream",
    [
        answered(409, text="plain text, not JSON"),
        answered(404, ["a", "list"]),
        answered(400, {"no_detail": True}),
        answered(422, {"detail": {"nested": 1}}),
    ],
)
def test_odd_bodies_still_make_a_problem_document(upstream: Answer) -> None:
    answer = relay_answer(upstream)
    body = json.loads(bytes(answer.body))
    assert answer.status_code == upstream.status_code == body["status"]
    assert isinstance(body["detail"], str) and body["detail"]


def test_a_server_error_upstream_is_a_502_that_leaks_nothing() -> None:
    answer = relay_answer(answered(500, {"detail": "Traceback: secret"}))
    body = json.loads(bytes(answer.body))
    assert answer.status_code == 502 and "secret" not in body["detail"]
