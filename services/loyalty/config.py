"""Loyalty settings (env prefix LOYALTY_)."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class LoyaltySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LOYALTY_", extra="ignore", populate_by_name=True)

    service_name: str = "loyalty"
    http_port: int = 8002
    mongodb_db: str = "loyalty"
    currency: str = "EUR"
    crash_after_write: bool = False  # fault injection for the reliability tests only
