"""Gateway operations: fan out to the services, assemble what staff see."""

from __future__ import annotations

import asyncio

from services.gateway.model import ClientCard, UpstreamError
from services.gateway.upstream import Upstreams
from shared.logging import get_logger

log = get_logger(__name__)


async def client_card(up: Upstreams, client_id: str) -> ClientCard:
    """Registry data plus loyalty; a service that does not answer is named, not fatal."""
    registry, loyalty = await asyncio.gather(
        up.call("registry", "GET", f"/internal/v1/clients/{client_id}"),
        up.call("loyalty", "GET", f"/internal/v1/accounts/{client_id}"),
        return_exceptions=True,
    )
    if isinstance(registry, BaseException):
        raise registry
    if registry.status_code != 200:
        raise UpstreamError(registry.status_code, registry.json())
    card = ClientCard(client=registry.json())
    if isinstance(loyalty, BaseException) or loyalty.status_code >= 500:
        log.warning("upstream_unavailable", service="loyalty", error=repr(loyalty))
        card.unavailable.append("loyalty")
    elif loyalty.status_code == 200:
        card.loyalty = loyalty.json()
    return card
