"""The public API routers that pass a request on to the service that owns it: one module
per service area here, plus the features with a router of their own (`clients/` with
the card, `privacy/` with the export); every one is mounted.

A module here forwards to the owning service with `upstream.forward`; auth, roles and
audit are applied to all of them in one place (main.py).
"""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import APIRouter

from services.gateway.clients import api as clients
from services.gateway.privacy import api as privacy


def all_routers() -> list[APIRouter]:
    routers: list[APIRouter] = [clients.router, privacy.router]
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        router = getattr(module, "router", None)
        if isinstance(router, APIRouter):
            routers.append(router)
    return routers
