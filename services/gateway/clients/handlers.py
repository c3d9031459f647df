"""Gateway operations: fan out to the services, assemble what staff see."""

from __future__ import annotations

import asyncio
from typing import Any

from services.gateway.clients.model import ClientCard, UpstreamError
from services.gateway.upstream import UnsendableInput, Upstreams
from shared.logging import get_logger

log = get_logger(__name__)

SKIP_SIGNALS = {"signals": "false"}
Missing = object()  # the service has no such data (404) or no such endpoint yet


async def _part(up: Upstreams, service: str, path: str, timeout_s: float, **kw: Any) -> Any:
    """One part of the card: its JSON, `Missing`, or an exception when it is unavailable."""
    response = await asyncio.wait_for(up.call(service, "GET", path, **kw), timeout_s)
    if response.status_code in (404, 405, 501):
        return Missing
    if response.status_code != 200:
        try:
            body = response.json()
        except ValueError:
            body = {"detail": response.text[:200]}
        raise UpstreamError(response.status_code, body if isinstance(body, dict) else {})
    return response.json()


async def client_card(up: Upstreams, client_id: str, timeout_s: float | None = None) -> ClientCard:
    """Registry data plus every other service's part, fetched at once, each with a time
    budget; a service that is down or too slow is named in `unavailable`, never fatal.

    One call per service, each answered from as few store reads as it can (loyalty's
    account and ledger from one read of the account); the client's `signals` are read
    from the parts of their owners rather than from four more reads in the registry."""
    parts = {
        "registry": ("registry", f"/internal/v1/clients/{client_id}", {"params": SKIP_SIGNALS}),
        "loyalty": ("loyalty", f"/internal/v1/clients/{client_id}/card", {}),
        "complaints": (
            "complaints",
            f"/internal/v1/clients/{client_id}/complaints",
            {"params": {"status": "open"}},
        ),
        "scores": ("surveys", f"/internal/v1/clients/{client_id}/scores", {}),
    }
    budget = timeout_s or up.card_timeout_s
    results = await asyncio.gather(
        *(_part(up, s, p, budget, **kw) for s, p, kw in parts.values()),
        return_exceptions=True,
    )
    got = dict(zip(parts, results, strict=True))
    registry = got.pop("registry")
    if isinstance(registry, UpstreamError) and registry.status < 500:
        raise registry
    if isinstance(registry, UnsendableInput):
        raise UpstreamError(422, {"detail": str(registry)})
    if isinstance(registry, BaseException):
        log.warning("card_registry_unavailable", error=repr(registry))
        raise UpstreamError(503, {"detail": "the registry service does not answer; try again"})
    if registry is Missing:
        raise UpstreamError(404, {"detail": f"no client {client_id}"})
    card = ClientCard(client=registry)
    for name, value in got.items():
        service = parts[name][0]
        if isinstance(value, BaseException):
            log.warning("card_part_unavailable", part=name, service=service, error=repr(value))
            if service not in card.unavailable:
                card.unavailable.append(service)
        elif value is not Missing and name == "loyalty":
            card.loyalty, card.ledger = value["account"], value["ledger"]
        elif value is not Missing:
            setattr(card, name, value)
    card.client["signals"] = signals_of(card)
    return card


def signals_of(card: ClientCard) -> dict[str, Any]:
    """The registry's signals, read from the parts their owners answered with."""
    complaints = card.complaints if isinstance(card.complaints, list) else []
    scores = card.scores.get("latest") if isinstance(card.scores, dict) else None
    latest = max(scores, key=lambda s: str(s["at"])) if scores else {}
    return {
        "open_complaints": len(complaints),
        "latest_survey_score": latest.get("score"),
        "latest_survey_at": latest.get("at"),
        "tier": (card.loyalty or {}).get("tier") or None,
    }
