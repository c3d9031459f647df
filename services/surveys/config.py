"""Surveys settings (env prefix SURVEYS_)."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class SurveysSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SURVEYS_", extra="ignore", populate_by_name=True)

    service_name: str = "surveys"
    http_port: int = 8003
    mongodb_db: str = "surveys"
