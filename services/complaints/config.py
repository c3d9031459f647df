"""Complaints settings (env prefix COMPLAINTS_)."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ComplaintsSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="COMPLAINTS_", extra="ignore", populate_by_name=True
    )

    service_name: str = "complaints"
    http_port: int = 8004
    mongodb_db: str = "complaints"
