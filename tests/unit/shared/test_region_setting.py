"""CLIENTELE_DEFAULT_REGION: one region for every service; the old names for one release."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.complaints.config import ComplaintsSettings
from services.loyalty.config import LoyaltySettings
from services.registry.config import RegistrySettings
from services.surveys.config import SurveysSettings

SERVICES = (RegistrySettings, LoyaltySettings, SurveysSettings, ComplaintsSettings)


@pytest.fixture(autouse=True)
def no_region_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("CLIENTELE", "REGISTRY", "LOYALTY", "SURVEYS", "COMPLAINTS"):
        monkeypatch.delenv(f"{name}_DEFAULT_REGION", raising=False)


def test_one_setting_sets_the_region_of_every_service(monkeypatch: pytest.MonkeyPatch) -> None:
    assert {s().default_region for s in SERVICES} == {"DE"}
    monkeypatch.setenv("CLIENTELE_DEFAULT_REGION", "gb")
    assert {s().default_region for s in SERVICES} == {"GB"}


def test_an_old_per_service_name_is_still_read_until_the_new_one_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LOYALTY_DEFAULT_REGION", "FR")
    assert (LoyaltySettings().default_region, RegistrySettings().default_region) == ("FR", "DE")
    monkeypatch.setenv("CLIENTELE_DEFAULT_REGION", "US")
    assert LoyaltySettings().default_region == "US"


def test_a_region_phone_numbers_cannot_be_read_in_stops_the_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CLIENTELE_DEFAULT_REGION", "XX")
    with pytest.raises(ValidationError, match="not an ISO 3166 region code"):
        SurveysSettings()
