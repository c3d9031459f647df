"""Gateway operations: fan out to the services, assemble what staff see."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from services.gateway.model import ClientCard, UpstreamError
from shared.logging import get_logger
from shared.messaging.correlation import HEADER, current_correlation_id

log = get_logger(__name__)


class Upstreams:
    """HTTP clients of the services, one connection pool each."""

    def __init__(self, urls: dict[str, str], timeout_s: float) -> None:
        self.clients = {
            name: httpx.AsyncClient(base_url=url, timeout=timeout_s) for name, url in urls.items()
        }

    async def close(self) -> None:
        await asyncio.gather(*(c.aclose() for c in self.clients.values()))

    async def call(self, service: str, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {HEADER: current_correlation_id()}
        return await self.clients[service].request(method, path, headers=headers, **kw)


async def register_client(up: Upstreams, body: dict[str, Any]) -> dict[str, Any]:
    response = await up.call("registry", "POST", "/internal/v1/clients", json=body)
    if response.status_code != 201:
        raise UpstreamError(response.status_code, response.json())
    result: dict[str, Any] = response.json()
    return result


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
