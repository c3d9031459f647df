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


def gateway_over(
    spawn: Callable[..., ServiceProcess], *upstreams: ServiceProcess, **env: str
) -> ServiceProcess:
    """A gateway process (not yet ready) pointed at `upstreams` by their names, with the
    test admin; `env` adds or overrides gateway settings."""
    urls = {f"GATEWAY_{p.name.upper()}_URL": p.url for p in upstreams}
    return spawn("gateway", {**urls, **admin_env(), **env})


def whole_stack(
    spawn: Callable[..., ServiceProcess],
    gateway_env: dict[str, str] | None = None,
    env: dict[str, dict[str, str]] | None = None,
) -> Stack:
    """Start all five services (the gateway pointed at the others, with the test admin)
    and wait until each is ready. `gateway_env` adds or overrides gateway settings,
    `env` any service's (by service name)."""
    env = env or {}
    registry, loyalty = spawn("registry", env.get("registry")), spawn("loyalty", env.get("loyalty"))
    surveys = spawn("surveys", env.get("surveys"))
    complaints = spawn(
        "complaints", {"COMPLAINTS_REGISTRY_URL": registry.url, **env.get("complaints", {})}
    )
    gateway_env = {**env.get("gateway", {}), **(gateway_env or {})}
    gateway = gateway_over(spawn, registry, loyalty, surveys, complaints, **gateway_env)
    for p in (registry, loyalty, surveys, complaints, gateway):
        p.wait_healthy(timeout_s=120)  # CI shares two cores with everything else
    return Stack(registry, loyalty, surveys, complaints, gateway)
