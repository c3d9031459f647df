"""Surveys settings (env prefix SURVEYS_); every one is documented in docs/surveys.md."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import Region, ServiceSettings, region_setting


class SurveysSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SURVEYS_")

    http_port: int = 8003
    default_region: Region = region_setting("SURVEYS_DEFAULT_REGION")  # old name: until 0.2
    default_language: str = "en"
    timezone: str = "Europe/Berlin"

    # When and how often to ask
    sample_rate: float = Field(1.0, ge=0, le=1)
    store_sample_rates: dict[str, float] = Field(default_factory=dict)
    send_delay_s: float = Field(7200, ge=0)
    quiet_hours_start: int = Field(21, ge=0, le=23)
    quiet_hours_end: int = Field(8, ge=0, le=23)  # start == end: no quiet hours
    contact_budget: int = Field(4, ge=0)
    budget_window_days: int = Field(30, ge=1)
    dispatch_interval_s: float = Field(5.0, gt=0)
    claim_timeout_s: float = Field(300, gt=0)
    name_day_hour: int = Field(10, ge=0, le=23)
    low_score_max: int = Field(6, ge=0, le=10)

    # Events that name a client not known yet wait this long for its registration,
    # then go to `<topic>.dlq` (reason client_never_registered); the sweep's interval
    waiting_max_age_h: float = Field(72, gt=0)
    waiting_sweep_interval_s: float = Field(600, gt=0)

    # Retention (docs/privacy.md): messages and answers older than this are deleted by a
    # job that runs every `retention_interval_s` (daily).
    message_retention_days: int = Field(730, ge=1)
    retention_interval_s: float = Field(86400, gt=0)

    # SMS provider: "development" records messages in the store and the log
    sms_provider: str = Field("development", pattern="^(development|http)$")
    sms_http_url: str = "http://127.0.0.1:9999/sms"
    sms_http_user: str = ""
    sms_http_password: str = ""
    sms_http_sender: str = "Clientele"
    sms_http_timeout_s: float = Field(5.0, gt=0)
    sms_http_retries: int = Field(3, ge=0)
    sms_http_backoff_s: float = Field(0.5, ge=0)

    # Inbound webhook
    webhook_secret: str = "development-secret"
    webhook_tolerance_s: int = Field(300, ge=1)

    # Employee of the month
    eom_min_answers: int = Field(3, ge=1)
