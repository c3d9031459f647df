"""Kafka keeps events only as long as configured: records with personal data cannot be
edited, so every topic a service declares (and its DLQ) is created with `retention.ms`."""

from __future__ import annotations

from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from services.loyalty.config import LoyaltySettings
from services.loyalty.main import create_app
from tests.conftest import Slate, running


async def retention_ms(bootstrap: str, topics: list[str]) -> dict[str, str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        wanted = [ConfigResource(ConfigResourceType.TOPIC, t) for t in topics]
        responses: list[Any] = await admin.describe_configs(wanted)
    finally:
        await admin.close()
    found = {}
    for response in responses:
        for _code, _msg, _type, name, entries in response.resources:
            found[name] = next(value for key, value, *_ in entries if key == "retention.ms")
    return found


async def test_declared_topics_and_dead_letters_have_the_configured_retention(
    slate: Slate,
) -> None:
    settings = LoyaltySettings(
        **slate.settings_kwargs("loyalty"), topic_retention_h=48, dlq_retention_h=0.5
    )
    async with running(create_app(settings)):
        pass
    purchases, clients = slate.topic("purchase.recorded"), slate.topic("client.registered")
    found = await retention_ms(
        slate.infra.kafka, [purchases, purchases + ".dlq", clients, clients + ".dlq"]
    )
    two_days, half_an_hour = str(48 * 3_600_000), str(1_800_000)
    assert found == {
        purchases: two_days, clients: two_days,
        purchases + ".dlq": half_an_hour, clients + ".dlq": half_an_hour,
    }  # fmt: skip


def test_retention_defaults_are_a_week_and_dead_letters_two() -> None:
    settings = LoyaltySettings()
    assert (settings.topic_retention_h, settings.dlq_retention_h) == (168, 336)
