"""Gateway settings (env prefix GATEWAY_; the first admin from CLIENTELE_ADMIN_*)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

MIN_SECRET_BYTES = 32


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_")

    http_port: int = 8000
    registry_url: str = "http://127.0.0.1:8001"
    loyalty_url: str = "http://127.0.0.1:8002"
    surveys_url: str = "http://127.0.0.1:8003"
    complaints_url: str = "http://127.0.0.1:8004"
    upstream_timeout_s: float = Field(3.0, gt=0)
    card_timeout_s: float = Field(
        1.5, gt=0, description="Budget for each service's part of the client card."
    )

    def upstream_urls(self) -> dict[str, str]:
        """The base URL of every service the gateway calls, by name."""
        return {
            "registry": self.registry_url,
            "loyalty": self.loyalty_url,
            "surveys": self.surveys_url,
            "complaints": self.complaints_url,
        }

    token_secret: str = Field(
        "",
        description="HMAC secret signing bearer tokens and session cookies. Empty: a random "
        "one per process (dev/test only, logged as a warning; tokens die with the process).",
    )

    @field_validator("token_secret")
    @classmethod
    def _long_enough(cls, value: str) -> str:
        """HS256 with a short secret can be brute-forced offline from one token."""
        if value and len(value.encode()) < MIN_SECRET_BYTES:
            raise ValueError(
                f"GATEWAY_TOKEN_SECRET is {len(value.encode())} bytes; use at least "
                f"{MIN_SECRET_BYTES}, e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
            )
        return value

    timezone: str = Field(
        "Europe/Berlin",
        description="The business's time zone (IANA name, e.g. Europe/Berlin, UTC): the "
        "console shows every date and time in it. The APIs keep UTC.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"GATEWAY_TIMEZONE {value!r} is not a time zone; use an IANA name such as "
                "Europe/Berlin or UTC"
            ) from None
        return value

    auth_cache_s: float = Field(
        2.0,
        ge=0,
        description="How long the guard trusts a staff account (role, active) or POS key it "
        "read from the store. A change made through this gateway applies at once; one made "
        "by another replica or the CLI within this time. 0: read on every request.",
    )
    token_ttl_s: int = Field(900, gt=0, description="Lifetime of an API bearer token.")
    session_ttl_s: int = Field(8 * 3600, gt=0, description="Lifetime of a console session.")
    secure_cookies: bool = Field(False, description="Mark the session cookie Secure (HTTPS).")
    login_max_failures: int = Field(5, ge=1, description="Failed logins per user+IP per window.")
    login_window_s: int = Field(300, gt=0)
    audit_retention_days: int = Field(
        365, ge=1, description="Audit entries older than this are deleted (docs/privacy.md)."
    )
    retention_interval_s: float = Field(86400, gt=0, description="How often retention runs.")
    admin_username: str = Field("", validation_alias=AliasChoices("CLIENTELE_ADMIN_USERNAME"))
    admin_password: str = Field("", validation_alias=AliasChoices("CLIENTELE_ADMIN_PASSWORD"))
