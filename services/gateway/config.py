"""Gateway settings (env prefix GATEWAY_)."""

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", populate_by_name=True)

    service_name: str = "gateway"
    http_port: int = 8000
    registry_url: str = "http://127.0.0.1:8001"
    loyalty_url: str = "http://127.0.0.1:8002"
    surveys_url: str = "http://127.0.0.1:8003"
    complaints_url: str = "http://127.0.0.1:8004"
    upstream_timeout_s: float = 3.0
