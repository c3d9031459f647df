"""How the console shapes the services' answers: SLA board, charts, inline errors."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from services.gateway.console.view import as_list, bars, field_errors, sla_board

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_complaints_board_is_sorted_by_sla_deadline_with_overdue_marked() -> None:
    cases = [
        {"id": "late", "sla_deadline": "2026-11-23T18:00:00Z"},
        {"id": "none"},
        {"id": "overdue", "sla_deadline": "2026-11-23T09:00:00+00:00"},
        {"id": "soon", "due_at": "2026-11-23T13:00:00Z"},
    ]
    board = sla_board(cases, NOW)
    assert [c["id"] for c in board] == ["overdue", "soon", "late", "none"]
    assert [c["_overdue"] for c in board] == [True, False, False, False]


def test_chart_bars_scale_to_the_largest_value() -> None:
    chart = bars([{"category": "vip", "profit": "200.00"}, {"category": "regular", "profit": 50}])
    assert [(b.label, b.value) for b in chart] == [("vip", Decimal("200.00")), ("regular", 50)]
    assert chart[0].width == 4 * chart[1].width


def test_service_validation_errors_land_on_their_form_fields() -> None:
    pydantic_style = {"detail": [{"loc": ["body", "name"], "msg": "Field required"}]}
    assert field_errors(422, pydantic_style) == {"name": "Field required"}
    duplicate = {"detail": "phone already registered", "field": "phone", "existing_client_id": "c"}
    assert field_errors(409, duplicate) == {"phone": "phone already registered"}
    assert field_errors(422, {"detail": "cannot read phone 'call me'"}) == {
        "phone": "cannot read phone 'call me'"
    }


def test_lists_are_read_whether_bare_or_wrapped() -> None:
    assert as_list([1]) == [1] and as_list({"items": [2]}) == [2] and as_list(None) == []
