"""Loyalty settings (env prefix LOYALTY_); documented in docs/loyalty.md."""

from decimal import Decimal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import Region, ServiceSettings, region_setting


class LoyaltySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LOYALTY_")

    http_port: int = 8002
    currency: str = "EUR"
    default_region: Region = region_setting("LOYALTY_DEFAULT_REGION")  # old name: until 0.2
    purchase_batch_size: int = Field(500, ge=1, description="max records per purchase batch")
    purchase_batch_timeout_ms: int = Field(200, ge=1)
    redeem_max_share: Decimal = Field(Decimal("0.5"), gt=0, le=1)
    tiers: str = "bronze:0:1,silver:500:1.25,gold:2000:1.5"
    expiry_months: int = Field(12, ge=1)
    churn_factor: Decimal = Field(Decimal("2"), gt=1, description="overdue x median gap")
    employee_weights: str = Field("{}", description='JSON: {"A1": "1.5", "group:tea": "2"}')
    jobs_interval_s: float = Field(
        3600.0, gt=0, description="in-process expiry/birthday/churn runs"
    )
    waiting_max_age_h: float = Field(
        72, gt=0, description="how long a return waits for its purchase before the DLQ"
    )
    waiting_sweep_interval_s: float = Field(600, gt=0)
    adjust_wait_s: float = Field(
        10, ge=0, description="how long an adjustment handed to the account's owner is awaited"
    )
    crash_after_write: bool = False  # fault injection for the reliability tests only
