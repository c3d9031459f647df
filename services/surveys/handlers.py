"""Surveys event handlers."""

from __future__ import annotations

from services.surveys.model import KnownClient
from services.surveys.repository import ClientProjection
from shared.contracts import ClientRegistered


async def remember_client(event: ClientRegistered, clients: ClientProjection) -> None:
    # An upsert of the same values: replaying the event changes nothing.
    await clients.upsert(KnownClient(client_id=event.client_id, name=event.name, phone=event.phone))
