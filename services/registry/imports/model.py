"""Reading a CSV of clients from another system: columns, rows, per-row errors (pure).

Columns (header row, any order, unknown columns ignored): `name` (required), `phone`,
`phones` (`;`-separated), `email`, `birthday` (YYYY-MM-DD), `name_day` (MM-DD),
`language`, `store_id`, `employee_id`, `first_contact_at` (ISO date/time), `notes`,
`category`, `tags` (`;`-separated), `manager_id`, `card_number` (a plastic card to
bind; empty = issue one), `consent_sms`, `consent_email`, `consent_phone_call`,
`consent_post` (yes/no, true/false, 1/0; empty = not asked).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any

from pydantic import ValidationError

from services.registry.identity.model import ClientDraft

CHANNELS = ("sms", "email", "phone_call", "post")
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}
LIST_COLUMNS = ("phones", "tags")
PLAIN_COLUMNS = (
    "name",
    "phone",
    "email",
    "birthday",
    "name_day",
    "language",
    "store_id",
    "employee_id",
    "first_contact_at",
    "notes",
    "category",
    "manager_id",
    "card_number",
)


class RowError(ValueError):
    """What is wrong with one row (goes to the error report, the import goes on)."""


@dataclass
class Row:
    number: int  # the line in the file where the row ends (the header is line 1)
    values: dict[str, str]


def read_rows(stream: IO[str]) -> Iterator[Row]:
    """Rows one at a time: the file is never held in memory."""
    reader = csv.DictReader(stream)
    if reader.fieldnames is None or "name" not in [f.strip() for f in reader.fieldnames]:
        raise RowError("the header row must name a `name` column")
    for values in reader:
        cleaned = {(k or "").strip(): (v or "").strip() for k, v in values.items() if k}
        yield Row(reader.line_num, cleaned)


def batches(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    while batch := list(islice(rows, size)):
        yield batch


def _consent(value: str, column: str) -> bool | None:
    low = value.lower()
    if not low:
        return None
    if low in YES or low in NO:
        return low in YES
    raise RowError(f"{column} {value!r} must be yes or no")


def _explain(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in exc.errors()
    )


def draft_of(row: Row) -> ClientDraft:
    """One row as a registration form (normalisation happens as for the API)."""
    v = row.values
    data: dict[str, Any] = {c: v[c] for c in PLAIN_COLUMNS if v.get(c)}
    for column in LIST_COLUMNS:
        data[column] = [p.strip() for p in v.get(column, "").split(";") if p.strip()]
    consents = {ch: _consent(v.get(f"consent_{ch}", ""), f"consent_{ch}") for ch in CHANNELS}
    data["consents"] = {ch: given for ch, given in consents.items() if given is not None}
    data["consent_source"] = "import"
    try:
        return ClientDraft.model_validate(data)
    except ValidationError as exc:
        raise RowError(_explain(exc)) from None
