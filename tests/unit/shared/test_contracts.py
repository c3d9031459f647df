from datetime import datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from shared.contracts import ClientRegistered, from_minor_units, to_minor_units


def test_money_round_trips_through_minor_units_without_float() -> None:
    assert to_minor_units(Decimal("12.50")) == 1250
    assert from_minor_units(1250) == Decimal("12.50")
    assert isinstance(to_minor_units(Decimal("0.01")), int)


def test_money_with_sub_cent_precision_is_refused() -> None:
    with pytest.raises(ValueError, match="two decimal places"):
        to_minor_units(Decimal("1.005"))


def test_event_carries_id_version_and_utc_time() -> None:
    event = ClientRegistered(client_id="c1", name="Ada")
    data = event.model_dump(mode="json")
    assert data["schema_version"] == 1
    assert data["event_id"]
    assert data["occurred_at"].endswith("Z")


def test_event_time_without_offset_is_refused() -> None:
    with pytest.raises(ValidationError, match="UTC offset"):
        ClientRegistered(client_id="c1", name="Ada", occurred_at=datetime(2026, 1, 1))


def test_unknown_schema_version_is_refused_with_the_known_ones_named() -> None:
    with pytest.raises(ValidationError, match=r"schema_version 2 is not supported \(known: 1\)"):
        ClientRegistered(client_id="c1", name="Ada", schema_version=2)
