"""Every service as a real process behind a logged-in-able gateway (e2e tests)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.support.processes import ServiceProcess
from tests.support.staff import admin_env


@dataclass(frozen=True)
class Stack:
    registry: ServiceProcess
    loyalty: ServiceProcess
    surveys: ServiceProcess
    complaints: ServiceProcess
    gateway: ServiceProcess


def whole_stack(
    spawn: Callable[..., ServiceProcess], gateway_env: dict[str, str] | None = None
) -> Stack:
    """Start all five services (the gateway pointed at the others, with the test admin)
    and wait until each is ready. `gateway_env` adds or overrides gateway settings."""
    registry, loyalty, surveys = spawn("registry"), spawn("loyalty"), spawn("surveys")
    complaints = spawn("complaints", {"COMPLAINTS_REGISTRY_URL": registry.url})
    gateway = spawn(
        "gateway",
        {
            "GATEWAY_REGISTRY_URL": registry.url,
            "GATEWAY_LOYALTY_URL": loyalty.url,
            "GATEWAY_SURVEYS_URL": surveys.url,
            "GATEWAY_COMPLAINTS_URL": complaints.url,
            **admin_env(),
            **(gateway_env or {}),
        },
    )
    for p in (registry, loyalty, surveys, complaints, gateway):
        p.wait_healthy(timeout_s=120)  # CI shares two cores with everything else
    return Stack(registry, loyalty, surveys, complaints, gateway)
