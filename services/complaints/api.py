"""Complaints' internal HTTP API: every feature's routes, in the order they are matched.

The public gateway routes (`/api/v1/complaints...`) forward here with the same shapes;
the staff user comes in the `X-Actor` header (the gateway sends it; optional).
"""

from __future__ import annotations

from fastapi import APIRouter

from services.complaints.cases import api as cases
from services.complaints.clients import api as clients
from services.complaints.export import api as export
from services.complaints.goodwill import api as goodwill
from services.complaints.problem_clients import api as problem_clients
from services.complaints.sla import api as sla
from services.complaints.trends import api as trends

ROUTERS: list[APIRouter] = [
    cases.router,
    goodwill.router,
    clients.router,
    sla.router,
    trends.router,
    problem_clients.router,
    export.router,
]
