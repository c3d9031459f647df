"""The whole client card: the registry's and loyalty's parts from their services, the
rest from the card view kept by events (repository.py), assembled for staff."""

from __future__ import annotations

import asyncio
from typing import Any

from pymongo.errors import PyMongoError

from services.gateway.clients.model import ClientCard, UpstreamError, scores_with
from services.gateway.clients.repository import CardViews
from services.gateway.upstream import UnsendableInput, Upstreams
from shared.contracts.complaints import (
    ComplaintEscalated,
    ComplaintFiled,
    ComplaintResolved,
    GoodwillGranted,
)
from shared.contracts.registry import ClientErased, ClientMerged
from shared.contracts.surveys import SurveyAnswered
from shared.logging import get_logger

log = get_logger(__name__)

ComplaintEvent = ComplaintFiled | ComplaintEscalated | ComplaintResolved | GoodwillGranted

SKIP_SIGNALS = {"signals": "false"}
Missing = object()  # the service has no such data (404) or no such endpoint yet
KEPT = ("complaints", "scores")  # the parts the card view keeps


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


def _paths(client_id: str) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Each part of the card: (service, internal path, request options)."""
    return {
        "registry": ("registry", f"/internal/v1/clients/{client_id}", {"params": SKIP_SIGNALS}),
        "loyalty": ("loyalty", f"/internal/v1/clients/{client_id}/card", {}),
        "complaints": (
            "complaints",
            f"/internal/v1/clients/{client_id}/complaints",
            {"params": {"status": "open"}},
        ),
        "scores": ("surveys", f"/internal/v1/clients/{client_id}/scores", {}),
    }


async def _fetch(up: Upstreams, client_id: str, names: list[str]) -> dict[str, Any]:
    """The named parts from their services at once, each within the card's budget."""
    paths = _paths(client_id)
    results = await asyncio.gather(
        *(_part(up, *paths[n][:2], up.card_timeout_s, **paths[n][2]) for n in names),
        return_exceptions=True,
    )
    return dict(zip(names, results, strict=True))


async def _view(views: CardViews, client_id: str) -> dict[str, Any]:
    try:
        return await views.get(client_id)
    except PyMongoError as exc:  # the card is still shown, from the services alone
        log.warning("card_view_unavailable", error=repr(exc))
        return {}


async def client_card(up: Upstreams, views: CardViews, client_id: str) -> ClientCard:
    """Registry data and loyalty's part from their services, the seldom-changing parts
    from the card view (clients/repository.py), read at once; a part the view lacks is
    fetched from its service and kept. A service that is down or too slow is named in
    `unavailable`, never fatal; the registry's 404 is the card's.

    The client's `signals` are read from the parts of their owners rather than from
    four more reads in the registry."""
    view, got = await asyncio.gather(
        _view(views, client_id), _fetch(up, client_id, ["registry", "loyalty"])
    )
    card = ClientCard(client=_registry_part(got.pop("registry"), client_id))
    if card.client.get("status") == "erased":
        # Only the registry's tombstone: the other services forget the client as the
        # erasure event reaches them, and what they still hold until then (a case's
        # text, say) is not shown; the view stays gone.
        card.client["signals"] = signals_of(card)
        return card
    missing = [name for name in KEPT if name not in view]
    fetched = await _fetch(up, client_id, missing) if missing else {}
    await _keep(views, client_id, fetched)
    for name, value in (got | {n: view[n] for n in KEPT if n in view} | fetched).items():
        service = _paths(client_id)[name][0]
        if isinstance(value, BaseException):
            log.warning("card_part_unavailable", part=name, service=service, error=repr(value))
            card.unavailable.append(service)
        elif value is not Missing and name == "loyalty":
            card.loyalty, card.ledger = value["account"], value["ledger"]
        elif value is not Missing:
            setattr(card, name, value)
    if answers := view.get("answers"):
        card.scores = scores_with(client_id, card.scores, answers)
    card.client["signals"] = signals_of(card)
    return card


def _registry_part(registry: Any, client_id: str) -> dict[str, Any]:
    if isinstance(registry, UpstreamError) and registry.status < 500:
        raise registry
    if isinstance(registry, UnsendableInput):
        raise UpstreamError(422, {"detail": str(registry)})
    if isinstance(registry, BaseException):
        log.warning("card_registry_unavailable", error=repr(registry))
        raise UpstreamError(503, {"detail": "the registry service does not answer; try again"})
    if registry is Missing:
        raise UpstreamError(404, {"detail": f"no client {client_id}"})
    found: dict[str, Any] = registry
    return found


async def _keep(views: CardViews, client_id: str, fetched: dict[str, Any]) -> None:
    """Remember what the services answered (not their failures, nor a 404)."""
    answered = {
        n: v for n, v in fetched.items() if v is not Missing and not isinstance(v, BaseException)
    }
    if not answered:
        return
    try:
        await views.keep(client_id, answered)
    except PyMongoError as exc:  # read again next time
        log.warning("card_view_not_kept", error=repr(exc))


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


async def forget_complaints(views: CardViews, client_id: str) -> None:
    """After a complaints write through the gateway: the next card reads the cases again
    (the event saying so may come a moment after the staff member looks again)."""
    try:
        await views.forget_complaints(client_id)
    except PyMongoError as exc:  # the write is done; its event forgets them too
        log.warning("card_view_not_cleared", error=repr(exc))


# The card view kept by events (one consumer, keyed by client id: one writer per client).
# Each is idempotent in its own write: a repeat unsets, adds or deletes nothing new.


async def case_changed(views: CardViews, event: ComplaintEvent) -> None:
    """A case was filed, escalated, resolved or given goodwill: read the open cases
    again next time."""
    await views.forget_complaints(event.client_id)


async def survey_answered(views: CardViews, event: SurveyAnswered) -> None:
    body = event.model_dump(mode="json")  # `at` written as surveys' own answer writes it
    answer = {k: body[k] for k in ("survey_id", "score", "comment", "employee_id", "store_id")}
    await views.note_answer(event.client_id, answer | {"at": body["occurred_at"]})


async def client_erased(views: CardViews, event: ClientErased) -> None:
    await views.forget(event.client_id)


async def clients_merged(views: CardViews, event: ClientMerged) -> None:
    """The services move or drop the merged client's data: read both cards afresh."""
    await views.forget(event.merged_id)
    await views.forget(event.survivor_id)
