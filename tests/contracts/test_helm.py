"""The Helm chart: lint, render, validate every manifest, and the behaviour it promises.

helm is the one `make helm` built from its Go module (`make test` depends on it).
"""

from __future__ import annotations

import copy
import importlib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.contracts.helm_chart import (
    ALL_FEATURES,
    CHART,
    CRD_SCHEMAS,
    DEFAULT_VALUES,
    RELEASE,
    crd_schema,
    helm,
    of_kind,
    render,
    template,
    validate,
    values_of,
)
from tests.contracts.test_compose import SERVICES, env_names, settings_class

VALUE_FILES = [DEFAULT_VALUES, ALL_FEATURES]
CONSUMERS = ("registry", "loyalty", "surveys", "complaints")
SECRET_KEYS = {
    "MONGODB_URL",
    "GATEWAY_TOKEN_SECRET",
    "CLIENTELE_ADMIN_USERNAME",
    "CLIENTELE_ADMIN_PASSWORD",
    "SURVEYS_WEBHOOK_SECRET",
    "SURVEYS_SMS_HTTP_USER",
    "SURVEYS_SMS_HTTP_PASSWORD",
}


def ids(path: Path) -> str:
    return path.stem


@pytest.mark.parametrize("values", VALUE_FILES, ids=ids)
def test_helm_lint_passes(values: Path) -> None:
    done = helm("lint", "--strict", str(CHART), "--values", str(values))
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("values", VALUE_FILES, ids=ids)
def test_every_rendered_manifest_matches_its_schema(values: Path) -> None:
    manifests = render(values)
    for manifest in manifests:
        validate(manifest)
    kinds = [m["kind"] for m in manifests]
    for kind in ("Deployment", "Service", "ConfigMap", "PodDisruptionBudget", "NetworkPolicy"):
        assert kinds.count(kind) == len(SERVICES), kind


def test_all_features_render_the_optional_resources() -> None:
    manifests = render(ALL_FEATURES)
    assert set(of_kind(manifests, "ScaledObject")) == set(CONSUMERS)
    assert set(of_kind(manifests, "ServiceMonitor")) == set(SERVICES)
    assert set(of_kind(manifests, "Ingress")) == {"gateway"}
    # An existing Secret is used, none rendered.
    assert not of_kind(manifests, "Secret")


def test_defaults_render_no_optional_resources() -> None:
    kinds = {m["kind"] for m in render(DEFAULT_VALUES)}
    assert not kinds & {"ScaledObject", "ServiceMonitor", "Ingress"}


def test_the_vendored_schemas_reject_what_the_crds_reject() -> None:
    scaled = copy.deepcopy(of_kind(render(ALL_FEATURES), "ScaledObject")["loyalty"])
    scaled["spec"]["triggers"][0]["metadata"]["lagThreshold"] = 1000  # KEDA wants strings
    monitor = copy.deepcopy(of_kind(render(ALL_FEATURES), "ServiceMonitor")["gateway"])
    monitor["spec"]["endpoints"][0]["interval"] = "30 seconds"
    untargeted = copy.deepcopy(scaled)
    del untargeted["spec"]["scaleTargetRef"]
    for wrong in (scaled, monitor, untargeted):
        key = (wrong["apiVersion"], wrong["kind"])
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(wrong, crd_schema(CRD_SCHEMAS[key]))


@pytest.mark.parametrize("values", VALUE_FILES, ids=ids)
def test_only_the_gateway_admits_traffic_from_outside_the_release(values: Path) -> None:
    manifests = render(values)
    settings = values_of(values)
    metrics_peers = settings["networkPolicy"]["metricsFrom"]
    policies = of_kind(manifests, "NetworkPolicy")
    pods = {
        s: d["spec"]["template"]["metadata"]["labels"]
        for s, d in of_kind(manifests, "Deployment").items()
    }
    for service, policy in policies.items():
        selector = policy["spec"]["podSelector"]["matchLabels"]
        assert selector.items() <= pods[service].items(), f"{service}'s policy selects no pod"
        assert policy["spec"]["policyTypes"] == ["Ingress"]
    (door,) = policies["gateway"]["spec"]["ingress"]
    assert door.get("from", []) == settings["networkPolicy"]["gatewayFrom"]  # none: anyone
    expected = {"registry": {"gateway", "complaints"}}
    for service in CONSUMERS:
        rules = policies[service]["spec"]["ingress"]
        for rule in rules:
            assert rule["ports"] == [{"port": "http", "protocol": "TCP"}]
            outside = [p for p in rule.get("from", []) if not _is_release_pod(p, pods)]
            assert "from" in rule and outside in ([], metrics_peers), f"{service} admits {outside}"
        assert _callers(policies[service], pods) == expected.get(service, {"gateway"})


def _is_release_pod(peer: dict[str, Any], pods: dict[str, dict[str, str]]) -> bool:
    labels = peer.get("podSelector", {}).get("matchLabels", {})
    return set(peer) == {"podSelector"} and any(labels.items() <= p.items() for p in pods.values())


def _callers(policy: dict[str, Any], pods: dict[str, dict[str, str]]) -> set[str]:
    """The release's services a policy admits ('anyone' for a rule without `from`)."""
    found: set[str] = set()
    for rule in policy["spec"]["ingress"]:
        if "from" not in rule:
            found.add("anyone")
        for peer in rule.get("from", []):
            labels = peer.get("podSelector", {}).get("matchLabels", {})
            if set(peer) == {"podSelector"}:
                found |= {s for s, p in pods.items() if labels.items() <= p.items()}
    return found


def test_keda_never_scales_a_consumer_past_its_topics_partitions() -> None:
    kafka = values_of(ALL_FEATURES)["kafka"]
    prefix = kafka["topicPrefix"]
    scaled = of_kind(render(ALL_FEATURES), "ScaledObject")
    for service, obj in scaled.items():
        for trigger in obj["spec"]["triggers"]:
            topic = trigger["metadata"]["topic"].removeprefix(prefix)
            partitions = kafka["topicPartitions"].get(topic, kafka["partitions"])
            assert 1 <= obj["spec"]["minReplicaCount"] <= obj["spec"]["maxReplicaCount"]
            assert obj["spec"]["maxReplicaCount"] <= partitions, (service, topic)
    # loyalty's topic was created with more partitions than the default: it may use them.
    assert scaled["loyalty"]["spec"]["maxReplicaCount"] == 24


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("services.surveys.keda.maxReplicas=13", "the 12 partitions of topic bonus.accrued"),
        ("services.loyalty.keda.maxReplicas=25", "the 24 partitions of topic purchase.recorded"),
        ("services.complaints.keda.minReplicas=0", "minReplicas must be at least 1"),
    ],
)
def test_the_chart_refuses_keda_settings_that_cannot_work(assignment: str, message: str) -> None:
    done = template(ALL_FEATURES, sets=(assignment,))
    assert done.returncode != 0 and message in done.stderr, done.stderr


def test_a_scaled_deployment_leaves_its_replicas_to_keda() -> None:
    deployments = of_kind(render(ALL_FEATURES), "Deployment")
    for service in CONSUMERS:
        assert "replicas" not in deployments[service]["spec"], service
    assert deployments["gateway"]["spec"]["replicas"] == 4
    defaults = of_kind(render(DEFAULT_VALUES), "Deployment")
    chart_values = yaml.safe_load((CHART / "values.yaml").read_text())["services"]
    for service in SERVICES:
        assert defaults[service]["spec"]["replicas"] == chart_values[service]["replicas"]


@pytest.mark.parametrize("values", VALUE_FILES, ids=ids)
def test_probes_ask_readyz_and_healthz_on_the_port_the_service_listens_on(values: Path) -> None:
    manifests = render(values)
    services = of_kind(manifests, "Service")
    for service, deployment in of_kind(manifests, "Deployment").items():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["command"] == ["python", "-m", f"services.{service}"]
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        port = settings_class(service)().http_port
        assert container["ports"] == [{"name": "http", "containerPort": port, "protocol": "TCP"}]
        assert services[service]["spec"]["ports"][0]["port"] == port
        assert services[service]["spec"]["selector"].items() <= (
            deployment["spec"]["template"]["metadata"]["labels"].items()
        )
        assert container["resources"]["requests"] and container["resources"]["limits"]


@pytest.mark.parametrize("values", VALUE_FILES, ids=ids)
def test_secrets_never_reach_a_config_map(values: Path) -> None:
    manifests = render(values)
    settings = values_of(values)
    given = settings["secrets"]
    secret_values = {v for k, v in given.items() if k.endswith(("TokenSecret", "Password"))}
    secret_values = {str(v) for v in secret_values | {settings["mongodb"]["url"]} if v}
    for service, config in of_kind(manifests, "ConfigMap").items():
        assert not SECRET_KEYS & set(config["data"]), service
        assert not secret_values & set(config["data"].values()), service
    for service, deployment in of_kind(manifests, "Deployment").items():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        from_secrets = {e["name"] for e in container["env"] if "secretKeyRef" in e["valueFrom"]}
        assert from_secrets == {e["name"] for e in container["env"]} and from_secrets <= SECRET_KEYS
        assert "MONGODB_URL" in from_secrets, service
    gateway = of_kind(manifests, "Deployment")["gateway"]["spec"]["template"]["spec"]
    gateway_secrets = {e["name"] for e in gateway["containers"][0]["env"]}
    assert {"GATEWAY_TOKEN_SECRET", "CLIENTELE_ADMIN_PASSWORD"} <= gateway_secrets


def test_a_secret_given_as_plain_config_is_refused() -> None:
    done = template(DEFAULT_VALUES, sets=("services.gateway.env.GATEWAY_TOKEN_SECRET=x",))
    assert done.returncode != 0 and "is a secret" in done.stderr, done.stderr


def test_an_install_without_the_token_secret_is_refused() -> None:
    done = template(sets=("mongodb.url=mongodb://m:27017",))
    assert done.returncode != 0 and "secrets.gatewayTokenSecret is required" in done.stderr


@pytest.mark.parametrize("values", VALUE_FILES, ids=ids)
def test_every_setting_the_chart_gives_a_service_is_one_it_reads(values: Path) -> None:
    manifests = render(values)
    configs = of_kind(manifests, "ConfigMap")
    for service, deployment in of_kind(manifests, "Deployment").items():
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        given = set(configs[service]["data"]) | {e["name"] for e in container["env"]}
        unknown = given - env_names(settings_class(service))
        assert not unknown, f"{service} is given variables its settings never read: {unknown}"


def test_service_urls_name_the_release_s_services() -> None:
    manifests = render(DEFAULT_VALUES)
    services = of_kind(manifests, "Service")
    urls = {
        f"http://{s['metadata']['name']}:{s['spec']['ports'][0]['port']}" for s in services.values()
    }
    gateway = of_kind(manifests, "ConfigMap")["gateway"]["data"]
    for upstream in CONSUMERS:
        assert gateway[f"GATEWAY_{upstream.upper()}_URL"] in urls
    assert of_kind(manifests, "ConfigMap")["complaints"]["data"]["COMPLAINTS_REGISTRY_URL"] == (
        f"http://{RELEASE}-clientele-registry:8001"
    )


def test_service_monitors_scrape_metrics_on_the_services_named_port() -> None:
    manifests = render(ALL_FEATURES)
    services = of_kind(manifests, "Service")
    for service, monitor in of_kind(manifests, "ServiceMonitor").items():
        (endpoint,) = monitor["spec"]["endpoints"]
        assert endpoint["path"] == "/metrics"
        assert endpoint["port"] in {p["name"] for p in services[service]["spec"]["ports"]}
        selector = monitor["spec"]["selector"]["matchLabels"]
        assert selector.items() <= services[service]["metadata"]["labels"].items()


@pytest.mark.parametrize("service", CONSUMERS)
def test_keda_triggers_name_consumer_groups_and_topics_the_service_subscribes(
    service: str,
) -> None:
    """A renamed group would leave KEDA watching a lag nobody has: scaling would stop."""
    settings = settings_class(service)(topic_prefix="")
    app = importlib.import_module(f"services.{service}.main").create_app(settings)  # no I/O yet
    subscribed = {
        (subscriber.group_id, topic)
        for subscriber in app.state.runtime.broker.subscribers
        for topic in subscriber.topic_names
    }
    triggers = yaml.safe_load((CHART / "values.yaml").read_text())["services"][service]["keda"]
    for trigger in triggers["triggers"]:
        assert (trigger["consumerGroup"], trigger["topic"]) in subscribed, trigger


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("services.loyalty.replica=3", "additional properties 'replica' not allowed"),
        ("kafka.partitions=six", "got string, want integer"),
        ("services.registry.allowFrom={gateway,kafka}", "/services/registry/allowFrom/1"),
    ],
)
def test_values_that_match_no_setting_are_refused(assignment: str, message: str) -> None:
    """values.schema.json: a misspelt key would otherwise be ignored without a word."""
    done = template(DEFAULT_VALUES, sets=(assignment,))
    assert done.returncode != 0 and message in done.stderr, done.stderr


@pytest.mark.parametrize("values", VALUE_FILES, ids=ids)
def test_disruption_budgets_let_a_drain_proceed_yet_keep_a_replica_running(values: Path) -> None:
    manifests = render(values)
    deployments = of_kind(manifests, "Deployment")
    scaled = of_kind(manifests, "ScaledObject")
    for service, budget in of_kind(manifests, "PodDisruptionBudget").items():
        pods = deployments[service]["spec"]["template"]["metadata"]["labels"]
        assert budget["spec"]["selector"]["matchLabels"].items() <= pods.items()
        fewest = (
            scaled[service]["spec"]["minReplicaCount"]
            if service in scaled
            else deployments[service]["spec"]["replicas"]
        )
        evictable = budget["spec"]["maxUnavailable"]
        assert evictable >= 1, service  # a drain is never blocked for good
        assert fewest == 1 or evictable < fewest, service  # nor takes every replica
        assert budget["spec"]["unhealthyPodEvictionPolicy"] == "AlwaysAllow"
    overrides = {s: v["pdb"] for s, v in values_of(values)["services"].items() if "pdb" in v}
    for service, override in overrides.items():  # a service's own budget wins
        budget = of_kind(manifests, "PodDisruptionBudget")[service]["spec"]
        assert budget["maxUnavailable"] == override["maxUnavailable"], service


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("pdb.maxUnavailable=2", "complaints: pdb maxUnavailable 2 is not below its 2 replicas"),
        ("services.loyalty.pdb.maxUnavailable=3", "loyalty: pdb maxUnavailable 3 is not below"),
        ("pdb.maxUnavailable=0", "/pdb/maxUnavailable"),
    ],
)
def test_the_chart_refuses_a_budget_that_evicts_every_replica(
    assignment: str, message: str
) -> None:
    done = template(ALL_FEATURES, sets=(assignment,))
    assert done.returncode != 0 and message in done.stderr, done.stderr
