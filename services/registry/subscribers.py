"""The registry's Kafka subscribers (signals from other services arrive later)."""

from __future__ import annotations

from shared.service import ServiceRuntime


def register_subscribers(runtime: ServiceRuntime) -> None:
    """Nothing consumed yet; complaint.*, survey.answered and tier.changed come next."""
