"""Registry settings (env prefix REGISTRY_)."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_", extra="ignore", populate_by_name=True)

    service_name: str = "registry"
    http_port: int = 8001
    mongodb_db: str = "registry"
    default_region: str = "DE"
