"""Complaints settings (env prefix COMPLAINTS_).

Lists and maps are read from the environment as JSON, e.g.
`COMPLAINTS_SLA_RESOLUTION_HOURS='{"critical": 8, "high": 24, "normal": 72, "low": 168}'`.
"""

from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

DEFAULT_TOPICS = [
    "product_quality",
    "service_quality",
    "staff_behaviour",
    "waiting_time",
    "pricing",
    "billing",
    "delivery",
    "returns",
    "cleanliness",
    "other",
]


class ComplaintsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COMPLAINTS_")

    http_port: int = 8004

    # cases
    topics: list[str] = Field(default_factory=lambda: list(DEFAULT_TOPICS))
    survey_case_threshold: int = Field(4, description="a survey score below this opens a case")
    survey_case_topic: str = "service_quality"

    # priority from the client's value
    vip_categories: list[str] = Field(default_factory=lambda: ["vip"])
    top_tiers: list[str] = Field(default_factory=lambda: ["platinum"])
    high_value_spend: Decimal = Field(Decimal("5000.00"), ge=0)

    # SLA clocks (hours per priority; business hours optional, e.g. "09:00-18:00")
    sla_first_response_hours: dict[str, float] = Field(
        default_factory=lambda: {"critical": 1.0, "high": 4.0, "normal": 24.0, "low": 72.0}
    )
    sla_resolution_hours: dict[str, float] = Field(
        default_factory=lambda: {"critical": 24.0, "high": 48.0, "normal": 120.0, "low": 240.0}
    )
    business_hours: str | None = None
    business_days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])
    business_timezone: str = "UTC"
    sla_check_interval_s: float = Field(60.0, ge=0, description="0 turns the checker off")

    # goodwill
    currency: str = "EUR"
    goodwill_amount: Decimal = Field(Decimal("10.00"), gt=0)
    goodwill_cap: Decimal = Field(Decimal("30.00"), ge=0)
    goodwill_period: Literal["month", "quarter", "year"] = "month"

    # trends
    trend_window_weeks: int = Field(8, ge=1)
    trend_min_count: int = Field(5, ge=1)
    trend_ratio: float = Field(2.0, gt=1)

    # problem-client proposals
    problem_unfounded_claims: int = Field(2, ge=1)
    problem_returns: int = Field(3, ge=1)
    problem_tags: list[str] = Field(default_factory=lambda: ["aggressive"])
    registry_url: str = "http://127.0.0.1:8001"
    registry_timeout_s: float = Field(5.0, gt=0)

    # events naming a client not known yet wait this long, then go to `<topic>.dlq`
    waiting_max_age_h: float = Field(72, gt=0)
    waiting_sweep_interval_s: float = Field(600, gt=0)

    @model_validator(mode="after")
    def _every_priority_has_a_clock(self) -> "ComplaintsSettings":
        for name in ("sla_first_response_hours", "sla_resolution_hours"):
            missing = {"low", "normal", "high", "critical"} - set(getattr(self, name))
            if missing:
                raise ValueError(
                    f"{name} needs hours for every priority; missing {sorted(missing)}"
                )
        return self
