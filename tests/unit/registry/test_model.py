import pytest

from services.registry.identity.model import (
    ClientDraft,
    InvalidClientData,
    InvalidPhone,
    new_client,
    normalise_email,
    normalise_phone,
)
from services.registry.search.model import matches_prefix, normalise_name, similar_names


@pytest.mark.parametrize(
    "raw", ["+49 30 1234567", "030 1234567", "030/123 45 67", "0049 30 1234567"]
)
def test_phone_in_any_format_becomes_e164(raw: str) -> None:
    assert normalise_phone(raw, "DE") == "+49301234567"


def test_phone_that_is_no_number_is_refused_with_the_input_named() -> None:
    with pytest.raises(InvalidPhone, match="'hello'"):
        normalise_phone("hello", "DE")


def test_new_client_collapses_whitespace_in_the_name() -> None:
    client = new_client(ClientDraft(name="  Ada   Lovelace "), "DE")
    assert client.name == "Ada Lovelace"
    assert client.name_norm == "ada lovelace"
    assert client.category == "regular"


def test_emails_are_lower_cased_and_checked() -> None:
    assert normalise_email(" Ada@Example.COM ") == "ada@example.com"
    with pytest.raises(InvalidClientData):
        normalise_email("ada at example")


def test_names_are_compared_without_case_or_accents() -> None:
    assert normalise_name("Zoë O'Neil-Straße") == "zoe o neil strasse"
    assert matches_prefix("zoe o neil strasse", normalise_name("STRA zo"))
    assert not matches_prefix("zoe o neil strasse", "zoey")


def test_similar_names_catch_small_typos_and_swapped_parts() -> None:
    assert similar_names("jon smith", "john smith")
    assert similar_names("smith john", "john smith")
    assert not similar_names("john smith", "mary jones")
