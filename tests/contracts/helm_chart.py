"""Render the Helm chart with the helm `make helm` built, and validate what it renders.

Core kinds are validated against the Kubernetes schemas `kubernetes-validate` bundles
(offline); the two custom resources against the schemas vendored in `schemas/`.
"""

from __future__ import annotations

import json
import os
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "clientele"
DEFAULT_VALUES = CHART / "ci" / "default-values.yaml"
ALL_FEATURES = CHART / "ci" / "all-features-values.yaml"
SCHEMAS = Path(__file__).resolve().parent / "schemas"
HELM_VERSION = "v3.22.0"  # the Makefile's HELM_VERSION
KUBE_VERSION = "1.33.0"  # a version kubernetes-validate bundles; the chart needs >= 1.29
RELEASE = "shop"
NAMESPACE = "clientele"
CRD_SCHEMAS = {
    ("keda.sh/v1alpha1", "ScaledObject"): "keda-scaledobject-v1alpha1.json",
    ("monitoring.coreos.com/v1", "ServiceMonitor"): "servicemonitor-v1.json",
}

Manifest = dict[str, Any]


def helm_binary() -> Path:
    """Where `make helm` put it (CLIENTELE_CACHE, as the infra scripts read it)."""
    cache_dir = Path(os.environ.get("CLIENTELE_CACHE", Path.home() / ".cache" / "clientele"))
    path = cache_dir / f"helm-{HELM_VERSION}" / "helm"
    assert path.is_file(), f"{path} is missing: `make helm` builds it (`make test` does)"
    return path


def helm(*args: str) -> subprocess.CompletedProcess[str]:
    scratch = Path(os.environ.get("TMPDIR", "/tmp")) / "clientele-helm-home"
    env = os.environ | {
        # Keep helm's repository caches and config out of the user's home.
        "HELM_CACHE_HOME": str(scratch / "cache"),
        "HELM_CONFIG_HOME": str(scratch / "config"),
        "HELM_DATA_HOME": str(scratch / "data"),
    }
    return subprocess.run(
        [str(helm_binary()), *args], capture_output=True, text=True, timeout=120, env=env
    )


def template(*values: Path, sets: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    args = ["template", RELEASE, str(CHART), "--namespace", NAMESPACE]
    args += ["--kube-version", KUBE_VERSION]
    for path in values:
        args += ["--values", str(path)]
    for assignment in sets:
        args += ["--set", assignment]
    return helm(*args)


@cache
def render(*values: Path, sets: tuple[str, ...] = ()) -> tuple[Manifest, ...]:
    done = template(*values, sets=sets)
    assert done.returncode == 0, done.stderr
    return tuple(m for m in yaml.safe_load_all(done.stdout) if m)


def values_of(path: Path) -> dict[str, Any]:
    """The chart's values.yaml overlaid by one values file (deep merge, as helm does)."""
    merged: dict[str, Any] = yaml.safe_load((CHART / "values.yaml").read_text())
    _merge(merged, yaml.safe_load(path.read_text()))
    return merged


def _merge(base: dict[str, Any], over: dict[str, Any]) -> None:
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value


def of_kind(manifests: tuple[Manifest, ...], kind: str) -> dict[str, Manifest]:
    """The manifests of one kind, by the service they belong to (their component)."""
    return {
        m["metadata"]["labels"].get("app.kubernetes.io/component", m["metadata"]["name"]): m
        for m in manifests
        if m["kind"] == kind
    }


@cache
def crd_schema(file_name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / file_name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def validate(manifest: Manifest) -> None:
    """Raise if the manifest does not match its kind's schema (strict: no unknown keys)."""
    key = (manifest["apiVersion"], manifest["kind"])
    if key in CRD_SCHEMAS:
        jsonschema.Draft202012Validator(crd_schema(CRD_SCHEMAS[key])).validate(manifest)
    else:
        kubernetes_validate.validate(manifest, KUBE_VERSION, strict=True)
