"""Shaping services' answers for the console: lists, charts, SLA marks (pure functions).

The services' JSON is read leniently (a list or `{"items": [...]}`), so a page shows
whatever a service offers as its API grows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

LIST_KEYS = ("items", "entries", "results", "clients", "complaints", "ledger", "rows", "data")
DEADLINE_KEYS = ("sla_deadline", "deadline", "due_at", "sla_due_at")


def as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        for key in LIST_KEYS:
            if isinstance(value.get(key), list):
                return list(value[key])
    return []


def number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    x: int
    width: int
    y: int


def bars(
    rows: list[Any],
    label_keys: tuple[str, ...] = (),
    value_key: str | None = None,
    width: int = 560,
    row_h: int = 28,
) -> list[Bar]:
    """A horizontal bar chart of each row's label (the `label_keys` joined, else its first
    text field) and value (`value_key`, else its first number); rows without one are left out."""
    pairs: list[tuple[str, Decimal]] = []
    for row in rows[:20]:
        if not isinstance(row, dict):
            continue
        if label_keys:
            label: str | None = " ".join(str(row.get(k, "")) for k in label_keys).strip() or None
        else:
            label = next((str(v) for v in row.values() if isinstance(v, str)), None)
        if value_key is not None:
            value = number(row.get(value_key))
        else:
            value = next((n for v in row.values() if (n := number(v)) is not None), None)
        if label is not None and value is not None:
            pairs.append((label, value))
    top = max((abs(v) for _, v in pairs), default=Decimal(1)) or Decimal(1)
    return [
        Bar(label, value, 160, int(abs(value) / top * (width - 220)), i * row_h)
        for i, (label, value) in enumerate(pairs)
    ]


def deadline(case: dict[str, Any]) -> datetime | None:
    for key in DEADLINE_KEYS:
        raw = case.get(key)
        if isinstance(raw, str):
            try:
                parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            except ValueError:
                continue
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def sla_board(cases: list[Any], now: datetime | None = None) -> list[dict[str, Any]]:
    """Cases by SLA deadline (soonest first, none last), each marked overdue or not."""
    now = now or datetime.now(UTC)
    board = []
    for case in cases:
        if isinstance(case, dict):
            due = deadline(case)
            board.append({**case, "_due": due, "_overdue": due is not None and due < now})
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(board, key=lambda c: c["_due"] or far)


def field_errors(status: int, body: Any) -> dict[str, str]:
    """Map a service's 409/422 answer onto form fields for inline messages."""
    if not isinstance(body, dict):
        return {"_form": f"refused ({status})"}
    detail = body.get("detail")
    if isinstance(detail, list):
        errors: dict[str, str] = {}
        for e in detail:
            if isinstance(e, dict):
                loc = [str(p) for p in e.get("loc", []) if p != "body"]
                errors[loc[0] if loc else "_form"] = str(e.get("msg", "invalid"))
        return errors or {"_form": "the form is not valid"}
    text = str(detail or f"refused ({status})")
    field = body.get("field")
    if isinstance(field, str):
        return {field: text}
    for name in ("phone", "email", "card_number", "name", "category"):
        if name.replace("_", " ") in text.lower() or name in text.lower():
            return {name: text}
    return {"_form": text}
