"""Recognising one client's personal data in any text, whatever its format."""

from __future__ import annotations

from datetime import datetime

from services.privacy.traces import PersonalData

ADA = PersonalData(
    "c1",
    phones=("+49301234567",),
    emails=("ada.l@example.org",),
    cards=("4000123412341234",),
    names=("Zoë O'Neil",),
    birthdays=("1990-04-01",),
)


def test_a_phone_is_found_in_any_written_form() -> None:
    for text in ('{"to": "+49301234567"}', "030 1234567", "0049-30-123 45 67", "%2B49301234567"):
        assert ADA.kinds_in(text) == ["phone"], text


def test_card_email_and_name_are_found_whatever_the_case_and_accents() -> None:
    assert ADA.kinds_in("card 4000 1234 1234 1234") == ["card number"]
    assert ADA.kinds_in("from ADA.L%40example.org") == ["email"]
    assert ADA.kinds_in('{"name_norm": "zoe o neil"}') == ["name"]
    assert ADA.kinds_in("ZOE O'NEIL called") == ["name"]


def test_a_birthday_counts_only_next_to_the_client_id() -> None:
    assert ADA.kinds_in('{"_id": "c2", "birthday": "1990-04-01"}') == []
    assert ADA.kinds_in('{"_id": "c1", "birthday": "1990-04-01"}') == ["birthday"]


def test_masked_values_and_other_clients_are_not_found() -> None:
    assert ADA.kinds_in('{"waiting_for": ["phone:+49•••••567"], "name": "Zoe Smith"}') == []
    assert ADA.kinds_in("O'Neil, Zoey") == []


def test_what_to_search_for_comes_from_the_registry_document() -> None:
    doc = {
        "_id": "c1", "name": "Ada", "phones": ["+49301234567"], "email": "a@b.org",
        "cards": [{"number": "4000123412341234", "status": "active"}],
        "birthday": datetime(1990, 4, 1),
    }  # fmt: skip
    pii = PersonalData.from_registry(doc)
    assert (pii.phones, pii.emails, pii.cards, pii.names, pii.birthdays) == (
        ("+49301234567",), ("a@b.org",), ("4000123412341234",), ("Ada",), ("1990-04-01",)
    )  # fmt: skip
    assert PersonalData.from_registry({"_id": "c1", "name": "", "phones": []}).is_empty()
