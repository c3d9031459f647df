import pytest
from stdnum import luhn

from services.registry.cards.model import (
    InvalidCardNumber,
    new_card_number,
    normalise_card_number,
)


@pytest.mark.parametrize("number", ["79927398713", "4111111111111111", "4000123412341234"])
def test_known_luhn_numbers_pass(number: str) -> None:
    assert normalise_card_number(number) == number


def test_issued_numbers_carry_the_prefix_and_a_valid_check_digit() -> None:
    for _ in range(200):
        number = new_card_number("4000")
        assert number.startswith("4000") and len(number) == 16 and luhn.is_valid(number)


def test_one_wrong_digit_is_caught() -> None:
    with pytest.raises(InvalidCardNumber, match="4111111111111112: check digit is wrong"):
        normalise_card_number("4111 1111 1111 1112")


def test_letters_are_refused() -> None:
    with pytest.raises(InvalidCardNumber, match="only digits"):
        normalise_card_number("4111-abcd")
