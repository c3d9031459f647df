"""The log masker: phones, emails, card numbers and names never reach a log line; ids do."""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from pydantic import BaseModel, Field, ValidationError

from shared.logging import configure_logging, get_logger
from shared.privacy import mask_personal_data, mask_text


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("+49301234567", "301234"),
        ("+49 30 1234567", "1234"),
        ("+49-30-123-45-67", "123-45"),
        ("+49 (30) 123 45 67", "123 45"),
        ("+1 (555) 123-4567", "123-"),
        ("0049 30 1234567", "1234"),
        ("%2B4930555777", "30555"),
        ("030 1234567", "1234"),
        ("030-123 4567", "123 4"),
        ("(030) 123-4567", "123-"),
        ("030/1234567", "1234"),
        ("0171 2345678", "2345"),
        ("(555) 123-4567", "123-"),
    ],
)
def test_phone_numbers_in_any_written_form_are_masked(text: str, hidden: str) -> None:
    masked = mask_text(f"sms to {text} failed")
    assert hidden not in masked
    assert masked.startswith("sms to ") and masked.endswith(" failed")
    assert "•" in masked


def test_an_e164_phone_keeps_its_country_code_and_last_three_digits() -> None:
    assert mask_text("+49301234567") == "+49•••••567"


@pytest.mark.parametrize(
    "number",
    [
        "4111111111111111",
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "4000000000000002",
        "378282246310005",  # 15 digits
        "4222222222222",  # 13 digits
        "6011000990139424",
        "6304000000000000018",  # 19 digits
    ],
)
def test_luhn_valid_card_numbers_of_13_to_19_digits_are_masked(number: str) -> None:
    masked = mask_text(f"card {number} blocked")
    digits = "".join(ch for ch in number if ch.isdigit())
    assert digits[:-4] not in "".join(ch for ch in masked if ch.isdigit())
    assert masked == f"card •••{digits[-4:]} blocked"


def test_a_long_number_failing_the_luhn_check_is_not_a_card() -> None:
    assert mask_text("batch 4111111111111112 done") == "batch 4111111111111112 done"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("from ada.lovelace@example.org", "from a•••@example.org"),
        ("ada+tag@mail.example.co.uk.", "a•••@mail.example.co.uk."),
        ("/clients?q=ada%40example.org", "/clients?q=•••"),
        ("from=ada%40example.org", "from=a•••@example.org"),
    ],
)
def test_emails_are_masked(text: str, expected: str) -> None:
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("waiting:phone:+49301234567", "waiting:phone:+49•••••567"),
        ("card:4000123412341234", "card:•••1234"),
        ("card:40001234", "card:•••1234"),
        ("email:ada@example.org", "email:a•••@example.org"),
        ("name:lovelace", "name:l•••"),
    ],
)
def test_lookup_keys_are_masked(text: str, expected: str) -> None:
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{'name': 'Ada Lovelace', 'x': 1}", "{'name': 'A•••', 'x': 1}"),
        (
            '{"first_name": "Ada", "last_name": "Lovelace"}',
            '{"first_name": "A•••", "last_name": "L•••"}',
        ),
        ("Client(full_name='Ada Lovelace')", "Client(full_name='A•••')"),
        ('{\\"name\\": \\"Ada\\"}', '{\\"name\\": \\"A•••\\"}'),
        ("GET /api/v1/clients?q=Ada+Lovelace&page=2", "GET /api/v1/clients?q=•••&page=2"),
    ],
)
def test_names_under_name_like_keys_in_text_are_masked(text: str, expected: str) -> None:
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "client 3f2a12345678901234567890abcdef12",
        "event 12345678-1234-1234-1234-123456789012",
        "event 0b6f6a1e-2f6e-4c0a-9a43-000000000000",
        "at 2026-11-27T17:16:20.123456Z and 2026-11-27 17:16:20,123",
        "purchase pos-1-0001 P-20261127-000123 case cs-0301234567",
        "offset 1234567 took 0.0123456 s on 127.0.0.1:9092",
        "service_name='surveys' topic=purchase.recorded",
    ],
)
def test_ids_timestamps_and_numbers_stay_readable(text: str) -> None:
    assert mask_text(text) == text


def test_fields_are_masked_by_their_name_nested_and_in_lists() -> None:
    event = {
        "event": "client_seen",
        "client_id": "3f2a0000000000000000000000000001",
        "name": "Ada Lovelace",
        "phones": ["+49301234567", "030 7654321"],
        "client": {"email": "ada@example.org", "card_number": "4000123412341234"},
        "waiting_for": ["phone:+4930555777", "card:4000777"],
        "detail": "registered +4930555777",
        "count": 3,
        "_record": object(),
    }
    masked = mask_personal_data(None, "info", dict(event))
    assert masked["client_id"] == event["client_id"]
    assert masked["name"] == "A•••"
    assert masked["phones"] == ["+49•••••567", "•••••321"]
    assert masked["client"] == {"email": "a•••@example.org", "card_number": "•••1234"}
    assert masked["waiting_for"] == ["phone:+49•••••777", "card:•••"]
    assert masked["detail"] == "registered +49•••••777"
    assert masked["count"] == 3 and masked["_record"] is event["_record"]


def test_id_fields_stay_readable_unless_they_hold_a_lookup_key_or_an_email() -> None:
    event = {
        "purchase_id": "0301234567",
        "case_ids": ["4111111111111111"],
        "client": {"id": "030 1234567"},
        "key_id": "phone:+49301234567",
        "owner_id": "ada@example.org",
    }
    masked = mask_personal_data(None, "info", dict(event))
    assert masked["purchase_id"] == "0301234567"
    assert masked["case_ids"] == ["4111111111111111"]
    assert masked["client"] == {"id": "030 1234567"}
    assert masked["key_id"] == "phone:+49•••••567"
    assert masked["owner_id"] == "a•••@example.org"


class _Form(BaseModel):
    name: str = Field(max_length=3)
    phone: int


@pytest.fixture
def logs(capsys: pytest.CaptureFixture[str]) -> Iterator[pytest.CaptureFixture[str]]:
    """`configure_logging` writing to capsys's stderr (the test calls it); undone after."""
    hooks = sys.excepthook, threading.excepthook, logging.getLogger().handlers[:]
    yield capsys
    sys.excepthook, threading.excepthook = hooks[0], hooks[1]
    logging.getLogger().handlers[:] = hooks[2]
    logging.captureWarnings(False)
    structlog.reset_defaults()


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.strip()]


def test_our_events_and_their_tracebacks_are_masked(logs: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", json=True)
    try:
        raise ValueError("phone +4930555777 of ada@example.org is taken")
    except ValueError:
        get_logger("t").exception("register_failed", waiting_for=["phone:+4930555777"])
    (line,) = _lines(logs)
    text = json.dumps(line, ensure_ascii=False)
    assert "30555" not in text and "ada@" not in text
    assert "Traceback" in line["exception"] and "+49•••••777" in line["exception"]


def test_stdlib_records_and_validation_errors_are_masked(logs: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", json=True)
    try:
        _Form.model_validate({"name": "Ada Lovelace", "phone": "+49 30 555777"})
    except ValidationError:
        # asyncio, not uvicorn.error: a test that ran uvicorn in this process left it a
        # handler of its own (the services run uvicorn with log_config=None: it propagates)
        logging.getLogger("asyncio").exception("Exception in ASGI application")
    logging.getLogger("aiokafka").warning("no client for %s", "card:4111111111111111")
    first, second = _lines(logs)
    text = json.dumps([first, second], ensure_ascii=False)
    assert "Lovelace" not in text and "555777" not in text and "41111111" not in text
    assert first["event"] == "Exception in ASGI application"
    assert "validation error" in first["exception"]
    assert second["event"] == "no client for card:•••1111"
