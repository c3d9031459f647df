"""Reading replies, checking webhook signatures, rendering templates."""

from __future__ import annotations

import pytest

from services.surveys.answers.model import parse_reply
from services.surveys.answers.signature import BadSignature, sign, verify
from services.surveys.templates.model import InvalidTemplate, render, validate_template


@pytest.mark.parametrize(
    ("text", "score", "comment"),
    [
        ("9", 9, None),
        (" 10 ", 10, None),
        ("9 great staff", 9, "great staff"),
        ("7, slow checkout", 7, "slow checkout"),
        ("10/10 lovely", 10, "lovely"),
        ("0", 0, None),
    ],
)
def test_a_score_and_an_optional_comment_are_read(
    text: str, score: int, comment: str | None
) -> None:
    reply = parse_reply(text)
    assert (reply.score, reply.comment, reply.stop) == (score, comment, False)


@pytest.mark.parametrize("text", ["great!", "95", "11", "", "nine"])
def test_anything_else_is_kept_unparsed(text: str) -> None:
    reply = parse_reply(text)
    assert reply.score is None and not reply.stop
    assert reply.comment == (text or None)


@pytest.mark.parametrize("text", ["STOP", "stop", "Stop.", "STOPP", "unsubscribe"])
def test_stop_words_opt_out(text: str) -> None:
    assert parse_reply(text).stop


def test_a_signature_made_with_the_secret_is_accepted() -> None:
    body = b"from=%2B4930555&text=9"
    verify("s3cret", body, sign("s3cret", body, 1_000_000), 1_000_100, 300)


@pytest.mark.parametrize(
    ("header", "now"),
    [
        (None, 1_000_000),
        ("garbage", 1_000_000),
        (sign("other", b"body", 1_000_000), 1_000_000),
        (sign("s3cret", b"another body", 1_000_000), 1_000_000),
        (sign("s3cret", b"body", 1_000_000), 1_000_301),
    ],
)
def test_a_missing_wrong_or_stale_signature_is_refused(header: str | None, now: int) -> None:
    with pytest.raises(BadSignature):
        verify("s3cret", b"body", header, now, 300)


def test_templates_render_their_placeholders() -> None:
    text = "Rate your visit to {store} with {employee} from 0 to 10"
    assert render(text, {"store": "S1", "employee": "E7"}) == (
        "Rate your visit to S1 with E7 from 0 to 10"
    )


@pytest.mark.parametrize(
    ("kind", "text"),
    [("survey", "Rate {shop}"), ("birthday", "{store}"), ("survey", "Rate {"), ("nope", "x")],
)
def test_a_template_with_unknown_placeholders_or_kind_is_refused(kind: str, text: str) -> None:
    with pytest.raises(InvalidTemplate):
        validate_template(kind, text)
