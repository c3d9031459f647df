import pytest

from services.registry.model import InvalidPhone, new_client, normalise_phone


@pytest.mark.parametrize(
    "raw", ["+49 30 1234567", "030 1234567", "030/123 45 67", "0049 30 1234567"]
)
def test_phone_in_any_format_becomes_e164(raw: str) -> None:
    assert normalise_phone(raw, "DE") == "+49301234567"


def test_phone_that_is_no_number_is_refused_with_the_input_named() -> None:
    with pytest.raises(InvalidPhone, match="'hello'"):
        normalise_phone("hello", "DE")


def test_new_client_collapses_whitespace_in_the_name() -> None:
    client = new_client("  Ada   Lovelace ", None, "DE")
    assert client.name == "Ada Lovelace"
    assert client.category == "regular"
