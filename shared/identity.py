"""Who a client is, written one way: phones (E.164), emails, card numbers, lookup keys.

Every service finds clients by lookup documents whose `_id` is a key built here
(`phone:+49301234567`, `email:ada@example.com`, `card:4000123412341234`). A key
written differently by two services silently loses a purchase or a survey answer,
so this module is the only place that normalises an identity, and the only module
that imports `phonenumbers` (ruff's banned-api rule in pyproject.toml says so).

A phone that cannot be read is never guessed: `normalise_phone` raises
`InvalidPhone`. An API answers it with a 422; a consumer lets it reach the
dead-letter middleware, which parks the event in `<topic>.dlq` with the reason
(docs/identity.md). The keys of an event (`reference_keys`) refuse a phone without
repeating it: the reason is logged and kept in DLQ headers, which hold no personal
data.
"""

from __future__ import annotations

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum import luhn

from shared.problems import Invalid

DEFAULT_REGION = "DE"
CARD_SEPARATORS = str.maketrans("", "", " -")
CARD_LENGTHS = range(8, 20)


class InvalidIdentity(Invalid):
    """A phone, email or card number that cannot be what it claims to be (a ValueError;
    an API answers it with 422 through the error table, shared/problems.py)."""


class InvalidPhone(InvalidIdentity):
    """Not a phone number, or not a possible one for the region it was read in.

    Said back to whoever typed it (`raw` in the message: a 422, an import report);
    without `raw` when the phone came in an event, whose reason is logged and kept in
    DLQ headers, where no personal data goes."""

    def __init__(self, why: str, raw: str | None = None) -> None:
        super().__init__(f"{raw!r} is {why}" if raw is not None else f"phone is {why}")
        self.why = why


class InvalidEmail(InvalidIdentity):
    """Not an email address."""


class InvalidCardNumber(InvalidIdentity):
    """Cannot be a club card number (the message says why)."""


class UnknownRegion(ValueError):
    """A default region that phonenumbers does not know (`DE`, `GB`, `US`, ...)."""


def check_region(region: str) -> str:
    """The region in capitals, if phone numbers can be read in it."""
    code = region.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise UnknownRegion(f"{region!r} is not an ISO 3166 region code phonenumbers knows")
    return code


def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """Any written form of a phone number -> E.164 (`030 1234567` -> `+49301234567`).

    `region` is where a number without a country code is read (the shared setting
    `CLIENTELE_DEFAULT_REGION`); a number in E.164 or with `00`/`+` and a country code
    reads the same in every region, so E.164 stays as it is.
    """
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(f"not a phone number: {exc}", raw) from None
    if not phonenumbers.is_possible_number(number):
        raise InvalidPhone(f"not a possible phone number for region {region}", raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national_digits(raw: str, region: str = DEFAULT_REGION) -> str:
    """The national significant number's digits (`+49 30 1234567` -> `301234567`): what
    every written form of the number contains, for searching text for it (erasure
    checks); all of its digits when it cannot be read."""
    try:
        return str(phonenumbers.parse(raw, region).national_number)
    except phonenumbers.NumberParseException:
        return "".join(ch for ch in raw if ch.isdigit())


def normalise_email(raw: str) -> str:
    """Syntax checked by email-validator (no DNS look-up), then all in lower case:
    mail systems treat the local part case-insensitively in practice, and one
    address must give one `email:` key however it was typed."""
    try:
        checked = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidEmail(f"email is not an email address: {exc}") from None
    return checked.normalized.lower()


def compact_card_number(raw: str) -> str:
    """A card number as printed or scanned (spaces, dashes) -> as stored. No checks:
    events name cards the registry may not have issued (another system's, a typo),
    and those are still looked up, not refused."""
    return raw.translate(CARD_SEPARATORS).strip()


def normalise_card_number(raw: str) -> str:
    """A card number a person types or binds: digits only, 8 to 19, Luhn check digit."""
    digits = compact_card_number(raw)
    if not digits.isdigit():
        raise InvalidCardNumber(f"card number {raw!r}: only digits are allowed")
    if len(digits) not in CARD_LENGTHS:
        raise InvalidCardNumber(f"card number {digits}: must have 8 to 19 digits")
    if not luhn.is_valid(digits):
        raise InvalidCardNumber(f"card number {digits}: check digit is wrong")
    return digits


def looks_like_card_number(digits: str) -> bool:
    """Whether typed digits could be a card number (a search guesses between keys)."""
    return digits.isdigit() and len(digits) in CARD_LENGTHS and luhn.is_valid(digits)


def phone_key(e164: str) -> str:
    return f"phone:{e164}"


def email_key(email: str) -> str:
    return f"email:{email}"


def card_key(number: str) -> str:
    return f"card:{number}"


def client_key(client_id: str) -> str:
    return f"client:{client_id}"


def reference_keys(
    region: str,
    client_id: str | None = None,
    card_number: str | None = None,
    phone: str | None = None,
) -> list[str]:
    """The lookup keys an event's reference to a client names, most specific first:
    `client:<id>`, `card:<number>`, `phone:<E.164>`. Raises InvalidPhone for a phone
    that cannot be read (the event is parked, never matched by a guess)."""
    keys = [client_key(client_id)] if client_id else []
    if card_number and card_number.strip():
        keys.append(card_key(compact_card_number(card_number)))
    if phone and phone.strip():
        try:
            keys.append(phone_key(normalise_phone(phone, region)))
        except InvalidPhone as exc:
            raise InvalidPhone(exc.why) from None  # the same reason, without the number
    return keys
