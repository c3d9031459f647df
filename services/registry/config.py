"""Registry settings (env prefix REGISTRY_)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import Region, ServiceSettings, region_setting


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REGISTRY_")

    http_port: int = 8001
    default_region: Region = region_setting("REGISTRY_DEFAULT_REGION")  # old name: until 0.2
    card_prefix: str = Field(
        "4000", pattern=r"^[0-9]{1,9}$", description="first digits of every card issued"
    )
    import_batch_size: int = Field(500, ge=1, le=10_000, description="rows per import write")
    names_interval_s: float = Field(
        5.0, gt=0, description="how often recent name entries move into the bucket lists"
    )
