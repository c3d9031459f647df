"""A gateway app in-process on the real store; services it calls are not running
unless a test plugs one in."""

from __future__ import annotations

from typing import Any

from services.gateway.config import GatewaySettings
from tests.conftest import Slate
from tests.support.processes import free_port
from tests.support.staff import ADMIN_PASSWORD, ADMIN_USERNAME, TOKEN_SECRET


def gateway_settings(slate: Slate, **overrides: Any) -> GatewaySettings:
    nobody = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    values: dict[str, Any] = {
        **slate.settings_kwargs("gateway"),
        "registry_url": nobody,
        "loyalty_url": nobody,
        "surveys_url": nobody,
        "complaints_url": nobody,
        "upstream_timeout_s": 2.0,
        "token_secret": TOKEN_SECRET,
        "admin_username": ADMIN_USERNAME,
        "admin_password": ADMIN_PASSWORD,
    }
    return GatewaySettings(**(values | overrides))
