"""Settings shared by every service; each service subclasses with its own env prefix.

Infrastructure addresses (`KAFKA_BOOTSTRAP_SERVERS`, `MONGODB_URL`) are read without a
prefix so one environment serves all services; everything service-specific carries the
service's prefix (e.g. `LOYALTY_HTTP_PORT`).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.identity import DEFAULT_REGION, check_region

Region = Annotated[str, AfterValidator(check_region)]


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.lower())


def region_setting(legacy_name: str | None = None) -> Any:
    """`CLIENTELE_DEFAULT_REGION`: where phone numbers without a country code are read.

    One setting for every service, because the `phone:` lookup keys they build must
    agree. Until release 0.2 a service also reads its old name (`REGISTRY_`,
    `LOYALTY_`, `SURVEYS_DEFAULT_REGION`) when the new one is not set.
    """
    names = ["CLIENTELE_DEFAULT_REGION", *([legacy_name] if legacy_name else [])]
    return Field(
        DEFAULT_REGION,
        validation_alias=AliasChoices(*(n for name in names for n in (name, name.lower()))),
        description="ISO 3166 region for phone numbers written without a country code.",
    )


class ServiceSettings(BaseSettings):
    """Base class: one instance per service process. A subclass names only its env
    prefix (`env_prefix="LOYALTY_"`); its service name and database follow from it."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _named_by_prefix(cls, data: Any) -> Any:
        """`service_name` and `mongodb_db` default to the prefix (`LOYALTY_` -> loyalty);
        a value given (argument or `LOYALTY_MONGODB_DB`) still wins."""
        name = str(cls.model_config.get("env_prefix") or "").rstrip("_").lower()
        if name and isinstance(data, dict):
            return {"service_name": name, "mongodb_db": name, **data}
        return data

    service_name: str = "service"
    kafka_bootstrap_servers: str = Field(
        "127.0.0.1:9092", validation_alias=_env("KAFKA_BOOTSTRAP_SERVERS")
    )
    mongodb_url: str = Field("mongodb://127.0.0.1:27017", validation_alias=_env("MONGODB_URL"))
    topic_prefix: str = Field(
        "",
        validation_alias=_env("CLIENTELE_TOPIC_PREFIX"),
        description="Prepended to every topic and consumer group (test isolation).",
    )
    topic_partitions: int = Field(6, ge=1, validation_alias=_env("CLIENTELE_TOPIC_PARTITIONS"))
    topic_max_message_bytes: int = Field(
        4 * 1024 * 1024,
        ge=1024,
        validation_alias=_env("CLIENTELE_TOPIC_MAX_MESSAGE_BYTES"),
        description="max.message.bytes of the topics a service declares (DLQs get twice "
        "that, for the reason headers); the producer may send up to the DLQ size.",
    )
    topic_retention_h: float = Field(
        168,
        gt=0,
        validation_alias=_env("CLIENTELE_TOPIC_RETENTION_H"),
        description="retention.ms (in hours) of the topics a service declares: events carry "
        "personal data and cannot be edited, so they live this long (docs/privacy.md).",
    )
    dlq_retention_h: float = Field(
        336,
        gt=0,
        validation_alias=_env("CLIENTELE_DLQ_RETENTION_H"),
        description="retention.ms (in hours) of every dead-letter topic: time to fix and "
        "replay, bounded because the parked copies carry personal data too.",
    )
    default_region: Region = region_setting()
    log_level: str = Field("INFO", validation_alias=_env("LOG_LEVEL"))
    log_json: bool = Field(True, validation_alias=_env("LOG_JSON"))
    max_body_bytes: int = Field(
        1024 * 1024,
        ge=1024,
        description="Largest request body any route accepts; a larger one is answered 413.",
    )
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    mongodb_db: str = "clientele"
    relay_interval_s: float = Field(0.5, gt=0)
    kafka_send_timeout_s: float = Field(10.0, gt=0)
    kafka_request_timeout_ms: int = Field(
        15_000,
        ge=1000,
        description="request_timeout_ms of the event publisher's producer (the outbox's): "
        "also how long a batch waits for a partition leader during a broker outage.",
    )
