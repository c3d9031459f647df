"""docker-compose.yml is checked statically (no Docker engine runs here)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared import tracing
from shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("registry", "loyalty", "surveys", "complaints", "gateway")
INFRA_ONLY = {"kafka", "mongo"}
TRACING_ONLY = {"otel-collector", "jaeger"}  # the optional `tracing` profile


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def env_names(settings_cls: type[ServiceSettings]) -> set[str]:
    """Every environment variable a settings class reads."""
    prefix = str(settings_cls.model_config.get("env_prefix", "")).upper()
    names: set[str] = set()
    for name, field in settings_cls.model_fields.items():
        alias = field.validation_alias
        choices = getattr(alias, "choices", None)
        if choices:
            names.update(str(c).upper() for c in choices)
        else:
            names.add(prefix + name.upper())
    return names


def settings_class(service: str) -> type[ServiceSettings]:
    module = importlib.import_module(f"services.{service}.config")
    cls = next(
        v
        for k, v in vars(module).items()
        if k.endswith("Settings")
        and isinstance(v, type)
        and issubclass(v, ServiceSettings)
        and v is not ServiceSettings
    )
    return cls


def test_every_service_is_in_compose_with_a_health_check_and_healthy_dependencies() -> None:
    services = compose()["services"]
    assert set(SERVICES) | INFRA_ONLY | TRACING_ONLY == set(services)
    for name in SERVICES:
        spec = services[name]
        assert spec["command"] == ["python", "-m", f"services.{name}"]
        assert "healthcheck" in spec
        assert all(d["condition"] == "service_healthy" for d in spec["depends_on"].values())


@pytest.mark.parametrize("service", SERVICES)
def test_every_env_variable_compose_sets_is_read_by_the_service(service: str) -> None:
    env = compose()["services"][service]["environment"]
    unknown = set(env) - env_names(settings_class(service)) - tracing.ENVIRONMENT
    assert not unknown, f"{service} is given variables its settings never read: {unknown}"


def test_service_ports_in_health_checks_match_the_settings() -> None:
    services = compose()["services"]
    for name in SERVICES:
        port = settings_class(name)().http_port
        assert f"127.0.0.1:{port}/healthz" in " ".join(services[name]["healthcheck"]["test"])


def test_the_tracing_profile_runs_a_collector_forwarding_to_jaeger_and_only_on_demand() -> None:
    services = compose()["services"]
    for name in TRACING_ONLY:
        assert services[name]["profiles"] == ["tracing"]
    for name in set(SERVICES) | INFRA_ONLY:  # the default stack needs none of it
        assert "profiles" not in services[name]
        assert not set(services[name].get("depends_on", {})) & TRACING_ONLY
    [mount] = services["otel-collector"]["volumes"]
    source, target = mount.split(":")[:2]
    assert services["otel-collector"]["command"] == [f"--config={target}"]
    config = yaml.safe_load((ROOT / source).read_text())
    http = config["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
    assert http.endswith(":4318")
    jaeger = config["exporters"]["otlp/jaeger"]["endpoint"]
    assert jaeger.split(":")[0] == "jaeger" and jaeger.endswith(":4317")  # Jaeger's OTLP gRPC
    pipeline = config["service"]["pipelines"]["traces"]
    assert pipeline["receivers"] == ["otlp"] and pipeline["exporters"] == ["otlp/jaeger"]
    assert set(pipeline["processors"]) <= set(config["processors"])
    assert "16686:16686" in services["jaeger"]["ports"]  # the trace UI


def test_services_export_traces_to_the_collector_only_when_given_its_endpoint() -> None:
    text = (ROOT / "docker-compose.yml").read_text()
    # The command the file documents points at the collector's OTLP/HTTP port.
    assert "OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector:4318 docker compose" in text
    for name in SERVICES:
        env = compose()["services"][name]["environment"]
        assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "${OTEL_EXPORTER_OTLP_ENDPOINT:-}"  # off
        assert env["OTEL_TRACES_SAMPLER"].endswith("parentbased_traceidratio}")
        assert 0 < float(env["OTEL_TRACES_SAMPLER_ARG"].split(":-")[1].rstrip("}")) <= 1


def default_of(value: object) -> str:
    """The value compose uses when the variable is unset: `${NAME:-3}` -> "3"."""
    match = re.fullmatch(r"\$\{(\w+):-([^}]*)\}", str(value))
    assert match, f"{value} is not ${{NAME:-default}}"
    return match.group(2)


def test_every_service_runs_as_n_replicas_without_a_port_clash() -> None:
    services = compose()["services"]
    partitions = int(
        default_of(compose()["x-service"]["environment"]["CLIENTELE_TOPIC_PARTITIONS"])
    )
    assert services["kafka"]["environment"]["KAFKA_NUM_PARTITIONS"] == (
        "${CLIENTELE_TOPIC_PARTITIONS:-6}"
    )
    for name in SERVICES:
        spec = services[name]
        assert "container_name" not in spec, name  # a fixed name allows one container
        replicas = spec["deploy"]["replicas"]
        assert replicas == f"${{{name.upper()}_REPLICAS:-1}}", name
        assert 1 <= int(default_of(replicas)) <= partitions, name
        if name != "gateway":
            assert "ports" not in spec, f"{name}: a host port allows one replica"
    [published] = services["gateway"]["ports"]
    host, container = default_of(published.rsplit(":", 1)[0]), published.rsplit(":", 1)[1]
    first, last = (int(p) for p in host.split("-"))
    assert int(container) == settings_class("gateway")().http_port
    assert last - first + 1 >= 2, "one host port for every gateway replica"


def test_consumers_reach_each_other_by_service_name_not_by_replica() -> None:
    """Docker's DNS answers a service name with every replica's address."""
    services = compose()["services"]
    urls = {
        k: v
        for k, v in services["gateway"]["environment"].items()
        if k.startswith("GATEWAY_") and k.endswith("_URL")
    }
    urls |= {
        "COMPLAINTS_REGISTRY_URL": services["complaints"]["environment"]["COMPLAINTS_REGISTRY_URL"]
    }
    for variable, url in urls.items():
        upstream = variable.split("_")[-2].lower()
        port = settings_class(upstream)().http_port
        assert url == f"http://{upstream}:{port}", variable
