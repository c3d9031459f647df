"""shared.identity: one way to write a phone, an email, a card number and their keys."""

from __future__ import annotations

import pytest

from shared.identity import (
    InvalidCardNumber,
    InvalidEmail,
    InvalidPhone,
    UnknownRegion,
    check_region,
    normalise_card_number,
    normalise_email,
    normalise_phone,
    reference_keys,
)

# The same number written the ways people write it, read with DE as the default region.
WRITTEN = {
    "+49301234567": ["030 1234567", "+49 (0)30 123 45 67", "0049-30-1234567"],
    "+442079460018": ["+44 20 7946 0018", "0044 20 7946 0018", "+44 (0)20-7946-0018"],
    "+12125550142": ["+1 (212) 555-0142", "001 212 555 0142", "+1.212.555.0142"],
    "+33142685300": ["+33 1 42 68 53 00", "0033 142685300", "+33 (0)1 42 68 53 00"],
}


@pytest.mark.parametrize(
    ("e164", "raw"), [(e164, raw) for e164, forms in WRITTEN.items() for raw in forms]
)
def test_every_written_form_gives_one_e164(e164: str, raw: str) -> None:
    assert normalise_phone(raw, "DE") == e164


def test_the_region_reads_numbers_without_a_country_code() -> None:
    assert normalise_phone("020 7946 0018", "GB") == "+442079460018"
    assert normalise_phone("(212) 555-0142", "US") == "+12125550142"
    assert normalise_phone("+49301234567", "US") == "+49301234567"  # E.164 reads the same


@pytest.mark.parametrize("raw", ["hello", "call me", "+", ""])
def test_a_phone_that_cannot_be_read_is_refused_not_guessed(raw: str) -> None:
    with pytest.raises(InvalidPhone):
        normalise_phone(raw, "DE")


def test_a_phone_typed_by_someone_is_said_back_to_them() -> None:
    with pytest.raises(InvalidPhone, match=r"^'\+1 212' is not a possible phone number for"):
        normalise_phone("+1 212", "DE")


def test_a_phone_refused_inside_an_event_is_not_repeated_in_the_reason() -> None:
    # The reason of an event is logged and kept in DLQ headers: no personal data there.
    with pytest.raises(InvalidPhone) as refused:
        reference_keys("DE", phone="+1 212")
    assert str(refused.value) == "phone is not a possible phone number for region DE"


def test_emails_are_checked_and_written_in_lower_case() -> None:
    assert normalise_email(" Ada.Lovelace@Example.COM ") == "ada.lovelace@example.com"
    for bad in ("ada at example.com", "ada@", "ada@@example.com", "a b@example.com"):
        with pytest.raises(InvalidEmail):
            normalise_email(bad)


def test_card_numbers_lose_spaces_and_dashes_and_need_the_check_digit() -> None:
    assert normalise_card_number("4000 1234-1234 1234") == "4000123412341234"
    with pytest.raises(InvalidCardNumber, match="check digit"):
        normalise_card_number("4000123412341235")
    with pytest.raises(InvalidCardNumber, match="8 to 19"):
        normalise_card_number("4000")


def test_reference_keys_name_client_card_and_phone_most_specific_first() -> None:
    keys = reference_keys("DE", "c-1", " 4000 1234 1234 1234 ", "030 1234567")
    assert keys == ["client:c-1", "card:4000123412341234", "phone:+49301234567"]
    assert reference_keys("DE", card_number="C-900") == ["card:C900"]  # looked up, not refused
    assert reference_keys("DE", phone="  ") == []


def test_reference_keys_refuse_a_phone_that_cannot_be_read() -> None:
    with pytest.raises(InvalidPhone):
        reference_keys("DE", card_number="4000123412341234", phone="not a number")


def test_only_known_regions_are_accepted() -> None:
    assert check_region(" gb ") == "GB"
    with pytest.raises(UnknownRegion):
        check_region("XX")
