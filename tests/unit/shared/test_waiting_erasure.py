"""Which parked event bodies name an erased client (by id, phone in any format, card)."""

from __future__ import annotations

from shared.messaging.waiting_erasure import ErasedClient

ADA = ErasedClient.of("c-1", ["+49301234567", None], ["4000123412341234"])


def test_bodies_naming_the_client_by_id_phone_or_card_are_recognised() -> None:
    assert ADA.named_in('{"client_id": "c-1"}')
    assert ADA.named_in('{"client": {"phone": "030 1234567"}}')
    assert ADA.named_in('{"client": {"phone": "+49 (30) 123-45-67"}}')
    assert ADA.named_in('{"client": {"card_number": "4000 1234 1234 1234"}}')


def test_other_clients_events_stay_parked() -> None:
    assert not ADA.named_in('{"client": {"phone": "+49301234999", "card_number": "4000999"}}')
    assert not ErasedClient.of("c-9", [None], [None]).named_in('{"client_id": "c-1"}')
