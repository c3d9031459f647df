"""Helpers for complaints' integration tests: settings and publishing contract events."""

from __future__ import annotations

from typing import Any

from services.complaints.config import ComplaintsSettings
from shared.contracts.base import Event
from tests.conftest import Slate
from tests.support.kafka import produce


def complaints_settings(slate: Slate, **overrides: Any) -> ComplaintsSettings:
    # The periodic checker is off: tests run it through the API with their own clock.
    return ComplaintsSettings(
        **slate.settings_kwargs("complaints"), sla_check_interval_s=0, **overrides
    )


async def publish(slate: Slate, event: Event) -> None:
    """Publish an event the way its owning service would (JSON, keyed by client)."""
    await produce(
        slate.infra.kafka,
        slate.topic(event.TOPIC),
        event.model_dump_json().encode(),
        key=event.partition_key().encode(),
    )
