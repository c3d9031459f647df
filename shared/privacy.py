"""Personal data out of log lines: phones, emails, card numbers and names are masked.

`mask_personal_data` is a structlog processor (shared/logging.py runs it on every event,
ours and the stdlib's: uvicorn, aiokafka, FastStream, tracebacks) after exceptions are
rendered to text and before any renderer. It masks

- the values of fields named for personal data (`phone`, `email`, `card_number`,
  `name`, `first_name`, ...), whatever their shape, nested dicts and lists included;
- in every other string (free text, exception texts, validation errors): phone numbers
  written internationally (`+49 30 1234567`, `0049…`, `%2B49…`) or nationally with a
  trunk 0 or an area code in parentheses (`030 123-4567`, `(030) 1234567`), emails,
  card numbers (13-19 digits passing the Luhn check, spaces or dashes allowed), lookup
  keys (`phone:…`, `card:…`, `email:…`, `name:…`), quoted values of name-like keys in
  reprs and JSON (`'name': 'Ada'`, `name='Ada'`) and pydantic's `input_value=…`.

Ids stay readable: a field named `id` or `*_id(s)` is masked only where it holds a lookup
key or an email; UUIDs and ISO timestamps are skipped, and a number glued to letters,
digits or dashes (hex client ids, `pos-1-0001`) is never taken for a phone or card. A
name written in free text next to no key cannot be told from other words: log ids.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

DOTS = "•••"
PHONE_DOTS = "•••••"

NAME_KEYS = frozenset(
    {
        "name", "first_name", "last_name", "full_name", "middle_name", "given_name",
        "family_name", "surname", "display_name", "maiden_name", "nickname", "client_name",
        "customer_name", "contact_name", "firstname", "lastname", "fullname",
    }
)  # fmt: skip
PHONE_KEYS = frozenset({"phone", "phones", "phone_number", "mobile", "msisdn", "tel"})
EMAIL_KEYS = frozenset({"email", "emails", "email_address"})
CARD_KEYS = frozenset({"card_number", "card_numbers", "pan"})
OTHER_KEYS = frozenset(
    {"birthday", "birth_date", "date_of_birth", "address", "street", "q", "query", "notes"}
)


def mask_phone(value: str) -> str:
    """`+49301234567` -> `+49•••••567`; a national form keeps only its last 3 digits."""
    plus = value.lstrip().startswith(("+", "%2B", "%2b"))
    digits = re.sub(r"\D", "", re.sub("%2[Bb]", "", value))
    if len(digits) < 6:
        return PHONE_DOTS
    if plus:
        return f"+{digits[:2]}{PHONE_DOTS}{digits[-3:]}"
    return f"{PHONE_DOTS}{digits[-3:]}"


def mask_email(value: str) -> str:
    local, at, domain = value.replace("%40", "@").partition("@")
    return f"{local[:1]}{DOTS}@{domain}" if at else DOTS


def mask_card(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return f"{DOTS}{digits[-4:]}" if len(digits) >= 8 else DOTS


def mask_name(value: str) -> str:
    return f"{value.strip()[:1]}{DOTS}" if value.strip() else value


def mask_other(value: str) -> str:
    return DOTS if value else value


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


_NAMES = "|".join(sorted(NAME_KEYS | {"name"}, key=len, reverse=True))
_KEYED = "|".join(sorted(NAME_KEYS | PHONE_KEYS | EMAIL_KEYS | CARD_KEYS, key=len, reverse=True))
_PATTERNS: dict[str, str] = {
    # Kept as they are (alternatives tried first, so no phone or card is found inside).
    "uuid": r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b",
    "time": (
        r"\b\d{4}-\d{2}-\d{2}"
        r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    ),
    # A key's quoted value in a repr or JSON text: 'name': 'Ada', name="Ada", \"name\": \"Ada\".
    "quoted": (
        rf"\b(?P<qkey>{_KEYED})\\?['\"]?\s*[:=]\s*(?P<quote>\\?['\"])(?P<qval>.*?)(?P=quote)"
    ),
    "input": r"\binput_value=(?P<ival>.*?)(?=, input_type=|\]|$)",
    "param": r"(?<=[?&])(?P<pkey>q|query)=(?P<pval>[^&\s'\"]+)",
    "lookup": r"\b(?P<lkey>phone|card|email|name|tel)(?P<lsep>:|=)(?P<lval>[^\s,;'\"\]\)}&]+)",
    "email": r"(?<![\w.+%-])[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+",
    "intl": r"(?<![\w+\-])(?:\+|%2[Bb]|00)\s?\d(?:[ \-/().]{0,2}\d){6,14}(?![\w-])",
    "card": r"(?<![\w+\-])\d(?:[ \-]?\d){12,18}(?![\w-])",
    "national": (r"(?<![\w+\-.])(?:\(\d{2,5}\)\s?|0\d{1,5}[ \-/]?)\d(?:[ \-/]?\d){4,11}(?![\w-])"),
}
_TEXT = re.compile("|".join(f"(?P<{name}>{p})" for name, p in _PATTERNS.items()), re.MULTILINE)


def _by_key(key: str) -> Callable[[str], str] | None:
    key = key.lower()
    if key in NAME_KEYS:
        return mask_name
    if key in PHONE_KEYS:
        return mask_phone
    if key in EMAIL_KEYS:
        return mask_email
    if key in CARD_KEYS or key == "card":
        return mask_card
    if key in OTHER_KEYS:
        return mask_other
    return None


def _masked_match(m: re.Match[str]) -> str:
    kind = m.lastgroup
    text = m.group(0)
    if kind in ("uuid", "time"):
        return text
    if kind == "quoted":
        mask = _by_key(m["qkey"]) or mask_other
        start, end = m.start("qval") - m.start(), m.end("qval") - m.start()
        return text[:start] + mask(m["qval"]) + text[end:]
    if kind == "param":
        return f"{m['pkey']}={DOTS}"
    if kind == "input":
        return f"input_value={DOTS}"
    if kind == "lookup":
        mask = _by_key(m["lkey"]) or mask_other
        return f"{m['lkey']}{m['lsep']}{mask(m['lval'])}"
    if kind == "email":
        return mask_email(text)
    if kind == "card":
        digits = re.sub(r"\D", "", text)
        return mask_card(text) if luhn_valid(digits) else text
    return mask_phone(text)  # intl, national


# Every pattern above needs one of these characters: text without them is skipped fast.
_MAYBE = re.compile(r"[\d@%=:]")
# Written by us, never personal: not scanned (a log line's cost is mostly its ids).
GENERATED_KEYS = frozenset({"timestamp", "level", "logger", "event_id", "correlation_id"})


def mask_text(text: str) -> str:
    """Free text with every phone, email, card number and keyed name masked."""
    return _TEXT.sub(_masked_match, text) if _MAYBE.search(text) else text


# An id field (`purchase_id`, `case_id`, `id`) keeps its value even when it looks like a
# phone (a POS may number purchases `0301234567`), unless it is a lookup key or an email.
_NAMED_PII = re.compile(r"\b(?:phone|card|email|name|tel)[:=]|@|%40")


def _is_id_key(key: str) -> bool:
    return key == "id" or key.endswith(("_id", "_ids"))


def mask_id(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value) if _NAMED_PII.search(value) else value
    if isinstance(value, list | tuple):
        return [mask_id(v) for v in value]
    return mask_value(value)


def mask_value(value: Any, by_key: Callable[[str], str] | None = None) -> Any:
    """A log field's value: under a personal-data key every string is masked by that
    key's kind; elsewhere strings are masked as free text; containers recursively."""
    if isinstance(value, str):
        return by_key(value) if by_key else mask_text(value)
    if isinstance(value, Mapping):
        return {mask_text(str(k)): _masked_field(str(k), v, by_key) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [mask_value(v, by_key) for v in value]
    if by_key is not None and isinstance(value, int | float) and not isinstance(value, bool):
        return by_key(str(value))
    if isinstance(value, int) and not isinstance(value, bool) and value >= 10**12:
        masked = mask_text(str(value))  # a card number passed as a number
        return value if masked == str(value) else masked
    if value is None or isinstance(value, bool | int | float):
        return value
    return mask_value(str(value), by_key)  # exceptions, dates, bytes...: as their text


def mask_personal_data(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> dict[str, Any]:
    """structlog processor: every field of the event masked (see the module docstring).
    Keys starting with `_` are structlog's own (the stdlib record) and left alone, like
    the generated ids and the timestamp."""
    return {
        key: value
        if key.startswith("_") or (key in GENERATED_KEYS and isinstance(value, str))
        else _masked_field(key, value)
        for key, value in event_dict.items()
    }


def _masked_field(key: str, value: Any, inherited: Callable[[str], str] | None = None) -> Any:
    by_key = _by_key(key) or inherited
    if by_key is None and _is_id_key(key):
        return mask_id(value)
    return mask_value(value, by_key)
