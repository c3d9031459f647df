"""Every route the gateway mounts, each feature's router, in the order they are matched.

All of them sit behind the guard (main.py); the policy (`auth/model.py`) decides who
may call which.
"""

from __future__ import annotations

from fastapi import APIRouter

from services.gateway import docs
from services.gateway.audit import api as audit
from services.gateway.auth import api as auth
from services.gateway.console import api as console
from services.gateway.console import pages as console_pages
from services.gateway.dead_letters import api as dead_letters
from services.gateway.routes import all_routers


def routers() -> list[APIRouter]:
    # The API first: FastAPI walks the included routers in turn for every request, and
    # a card lookup that came after the console's and docs' spent ~70 us there
    # (tests/unit/gateway/test_route_uniqueness.py: no route takes another's requests).
    return [
        *all_routers(),
        auth.router,
        audit.router,
        dead_letters.router,
        console.router,
        console_pages.router,
        docs.router,
    ]
