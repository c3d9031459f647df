"""The registry app in-process against the real broker and store, one per test."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.registry.config import RegistrySettings
from services.registry.main import create_app
from tests.conftest import Slate, running


def registry_settings(slate: Slate, **extra: Any) -> RegistrySettings:
    return RegistrySettings(**slate.settings_kwargs("registry"), default_region="DE", **extra)


@pytest.fixture
async def api(slate: Slate) -> AsyncIterator[httpx.AsyncClient]:
    async with running(create_app(registry_settings(slate))) as client:
        yield client


async def register(api: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    r = await api.post("/internal/v1/clients", json=body)
    assert r.status_code == 201, r.text
    found: dict[str, Any] = r.json()
    return found


def distinct_events(records: list[Any]) -> list[dict[str, Any]]:
    """Payloads by event_id: the relay may publish an event twice (at least once)."""
    by_id: dict[str, dict[str, Any]] = {}
    for r in records:
        if r.value:
            event = json.loads(r.value)
            by_id.setdefault(event["event_id"], event)
    return list(by_id.values())
