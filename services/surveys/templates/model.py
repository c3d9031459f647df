"""Message templates per kind and language: defaults here, staff edits in the store.

A template is Python format text with named placeholders; each kind allows its own
(`{store}`, `{employee}` for surveys, `{bonus}` for birthdays, `{name}` for all).
"""

from __future__ import annotations

import string

from services.surveys.outreach.model import MessageKind
from shared.problems import Invalid


class InvalidTemplate(Invalid):
    pass


PLACEHOLDERS: dict[str, frozenset[str]] = {
    "survey": frozenset({"name", "store", "employee"}),
    "re_survey": frozenset({"name", "store", "employee"}),
    "birthday": frozenset({"name", "bonus"}),
    "name_day": frozenset({"name"}),
    "win_back": frozenset({"name"}),
}

DEFAULTS: dict[tuple[str, str], str] = {
    ("survey", "en"): "Rate your visit to {store} with {employee} from 0 to 10",
    ("survey", "de"): "Wie bewerten Sie Ihren Besuch in {store} bei {employee} von 0 bis 10?",
    ("re_survey", "en"): (
        "We have worked on your concern. How would you rate {store} now, from 0 to 10?"
    ),
    ("re_survey", "de"): (
        "Wir haben uns um Ihr Anliegen gekümmert. Wie bewerten Sie {store} jetzt, von 0 bis 10?"
    ),
    ("birthday", "en"): "Happy birthday, {name}! A gift of {bonus} bonus is waiting for you.",
    ("birthday", "de"): "Alles Gute zum Geburtstag, {name}! {bonus} Bonus warten auf Sie.",
    ("name_day", "en"): "Happy name day, {name}! We are glad to have you with us.",
    ("name_day", "de"): "Alles Gute zum Namenstag, {name}!",
    ("win_back", "en"): "We miss you, {name}! Come back this week: a surprise is waiting.",
    ("win_back", "de"): "Wir vermissen Sie, {name}! Kommen Sie diese Woche vorbei.",
}


def template_key(kind: str, language: str) -> str:
    return f"{kind}:{language}"


def placeholders_in(text: str) -> set[str]:
    try:
        return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError as exc:
        raise InvalidTemplate(f"the template cannot be read: {exc}") from exc


def validate_template(kind: str, text: str) -> None:
    if kind not in PLACEHOLDERS:
        raise InvalidTemplate(f"unknown message kind {kind!r}; one of {sorted(PLACEHOLDERS)}")
    if not text.strip():
        raise InvalidTemplate("the template is empty")
    unknown = placeholders_in(text) - PLACEHOLDERS[kind]
    if unknown:
        allowed = ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS[kind]))
        raise InvalidTemplate(f"unknown placeholders {sorted(unknown)}; {kind} allows {allowed}")


def default_template(kind: MessageKind | str, language: str, fallback_language: str) -> str:
    return (
        DEFAULTS.get((kind, language))
        or DEFAULTS.get((kind, fallback_language))
        or DEFAULTS[(kind, "en")]
    )


def render(text: str, values: dict[str, str]) -> str:
    return text.format_map({k: values.get(k, "") for k in placeholders_in(text)})
