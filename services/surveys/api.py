"""Surveys' internal HTTP API: every feature's routes, in the order they are matched."""

from __future__ import annotations

from fastapi import APIRouter

from services.surveys.answers import api as answers
from services.surveys.clients import api as clients
from services.surveys.dispatch import api as dispatch
from services.surveys.export import api as export
from services.surveys.outreach import api as outreach
from services.surveys.ratings import api as ratings
from services.surveys.templates import api as templates

ROUTERS: list[APIRouter] = [
    clients.router,
    dispatch.router,
    answers.router,
    templates.router,
    outreach.router,
    ratings.router,
    export.router,
]
