"""Surveys after visits, planned a Kafka batch of purchases at a time (issue 15).

A purchase costs no store command of its own: the batch reads what decides its
surveys once per distinct client (lookups, the client, its contact budget, opt-out
and open complaints, by concurrent point reads), decides every survey with the pure
rules (`model.decide_visits`: quiet hours, budget, opt-outs, erasure, consent), then
writes one bulk command per collection: messages, budgets, schedule. A purchase of
a client not known yet waits for the client (the waiting room); one whose phone
cannot be read is refused alone (its DLQ).

The message id comes from the purchase, so a purchase handled again finds its
message: a message stored `scheduled` before a crash gets its reservation and its
schedule entry again (the crash may have come before them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.surveys.bootstrap import Context
from services.surveys.clients.model import KnownClient
from services.surveys.dispatch.providers import SMS_OUTCOMES
from services.surveys.outreach.handlers import policy_of, waiting_keys
from services.surveys.outreach.model import (
    ContactState,
    Visit,
    decide_visits,
    message_id,
    sampled,
    sent_within,
)
from services.surveys.templates.model import default_template, render, template_key
from shared.contracts.pos import PurchaseRecorded
from shared.logging import get_logger
from shared.messaging.dead_letters import describe
from shared.messaging.pipeline import Outcome
from shared.messaging.waiting import ClientNotKnownYet

log = get_logger(__name__)

MERGE_HOPS = 5  # as ClientProjection.resolve


@dataclass(frozen=True)
class Candidate:
    event: PurchaseRecorded
    client_id: str  # the client the purchase names (before merges)
    client: KnownClient | None  # after merges; None: the survivor is not known


async def survey_after_visits(ctx: Context, events: Sequence[PurchaseRecorded]) -> Outcome:
    """Plan the surveys of a batch of purchases; purchases of unknown clients wait."""
    outcome = Outcome()
    candidates = await _candidates(ctx, events, outcome)
    if not candidates:
        return outcome
    now = ctx.clock()
    send_at = now + timedelta(seconds=ctx.settings.send_delay_s)
    visits = await _visits(ctx, candidates, now)
    reasons = decide_visits(visits, policy_of(ctx), send_at)
    texts = await _texts(ctx, candidates)
    docs = [
        _message(c, v.message_id, reason, text, now, send_at)
        for c, v, reason, text in zip(candidates, visits, reasons, texts, strict=True)
    ]
    await _store(ctx, docs)
    return outcome


async def _candidates(
    ctx: Context, events: Sequence[PurchaseRecorded], outcome: Outcome
) -> list[Candidate]:
    """The purchases to survey with their clients; the others skipped, parked or refused."""
    keyed: list[tuple[PurchaseRecorded, list[str]]] = []
    for event in events:
        if event.client is None or event.client.identity() is None or not event.employee_id:
            continue  # anonymous sale or nobody to rate: not a survey candidate
        try:
            keyed.append((event, waiting_keys(ctx, event.client)))
        except Exception as exc:  # a phone that is not one: refused alone
            outcome.reject(event, describe(exc))
    owners = await ctx.clients.owners([k for _, keys in keyed for k in keys])
    named = {
        e.purchase_id: next((owners[k] for k in keys if k in owners), None) for e, keys in keyed
    }
    known = await ctx.clients.get_many([c for c in named.values() if c])
    resolved = await _follow_merges(ctx, known)
    candidates = []
    for event, keys in keyed:
        client_id = named[event.purchase_id]
        if client_id is None or client_id not in known:
            outcome.wait(event, ClientNotKnownYet(keys, "unknown_client"))
        else:
            candidates.append(Candidate(event, client_id, resolved.get(client_id)))
    return candidates


async def _follow_merges(ctx: Context, known: dict[str, KnownClient]) -> dict[str, KnownClient]:
    """Each client, or the survivor it was merged into (a few hops at most)."""
    resolved = dict(known)
    for _ in range(MERGE_HOPS):
        merged = {c: k.merged_into for c, k in resolved.items() if k.merged_into}
        if not merged:
            break
        survivors = await ctx.clients.get_many(list(merged.values()))
        for client_id, survivor_id in merged.items():
            if survivor_id in survivors:
                resolved[client_id] = survivors[survivor_id]
            else:
                del resolved[client_id]
    return resolved


async def _visits(ctx: Context, candidates: Sequence[Candidate], now: datetime) -> list[Visit]:
    """What decides each survey; contact state is read only for clients who may be asked."""
    rate_of = ctx.settings.store_sample_rates
    ids = [message_id("survey", c.event.purchase_id) for c in candidates]
    skips = [
        None
        if sampled(c.event.purchase_id, rate_of.get(c.event.store_id, ctx.settings.sample_rate))
        else "not_sampled"
        for c in candidates
    ]
    askable = {
        c.client.client_id: c.client
        for c, skip in zip(candidates, skips, strict=True)
        if c.client
        and skip is None
        and c.client.phone
        and c.client.sms_consent
        and not c.client.erased
    }
    states = await _contact_states(ctx, askable, set(ids), now)
    none = ContactState(False, 0, 0)
    return [
        Visit(i, c.client, states.get(c.client.client_id, none) if c.client else none, skip)
        for c, i, skip in zip(candidates, ids, skips, strict=True)
    ]


async def _contact_states(
    ctx: Context, clients: dict[str, KnownClient], batch: set[str], now: datetime
) -> dict[str, ContactState]:
    """Opt-out, open complaints and messages sent before (this batch's own aside)."""
    ids = list(clients)
    sent = await ctx.budget.sent_many(ids)
    out = await ctx.opt_outs.opted_out([c.phone for c in clients.values() if c.phone])
    open_complaints = await ctx.complaints.open_counts(ids)
    window = ctx.settings.budget_window_days
    return {
        c: ContactState(
            opted_out=client.phone in out,
            open_complaints=open_complaints[c],
            sent_in_window=sent_within(
                [at for m, at in sent[c].items() if m not in batch], now, window
            ),
        )
        for c, client in clients.items()
    }


async def _texts(ctx: Context, candidates: Sequence[Candidate]) -> list[str]:
    """Each survey's text in its client's language: one read per language in the batch."""
    default = ctx.settings.default_language
    languages = [(c.client.language if c.client else None) or default for c in candidates]
    templates: dict[str, str] = {}
    for language in sorted(set(languages)):
        stored = await ctx.templates.get(template_key("survey", language))
        templates[language] = stored or default_template("survey", language, default)
    return [
        render(
            templates[language],
            {
                "store": c.event.store_id,
                "employee": c.event.employee_id or "",
                "name": c.client.name if c.client else "",
            },
        )
        for c, language in zip(candidates, languages, strict=True)
    ]


def _message(
    candidate: Candidate,
    msg_id: str,
    reason: str | None,
    text: str,
    now: datetime,
    send_at: datetime,
) -> dict[str, Any]:
    event, client = candidate.event, candidate.client
    return {
        "_id": msg_id,
        "kind": "survey",
        "client_id": client.client_id if client else candidate.client_id,
        "phone": client.phone if client else None,
        "text": text,
        "status": "skipped" if reason else "scheduled",
        "reason": reason,
        "created_at": now,
        "send_after": send_at,
        "survey_id": msg_id,
        "employee_id": event.employee_id,
        "store_id": event.store_id,
        "purchase_id": event.purchase_id,
        "visited_at": event.occurred_at,  # ratings count in the visit's week and month
        "category": client.category if client else None,
    }


async def _store(ctx: Context, docs: Sequence[dict[str, Any]]) -> None:
    """Messages, then reservations, then the schedule (a crash between them is mended
    when the batch comes again: see the module docstring)."""
    existing = await ctx.messages.create_many(docs)
    again = [await ctx.messages.get(m) for m in sorted(existing)]
    planned = [d for d in docs if d["_id"] not in existing] + [d for d in again if d]
    scheduled = [d for d in planned if d["status"] == "scheduled"]
    reservations: dict[str, dict[str, datetime]] = {}
    for doc in scheduled:
        reservations.setdefault(doc["client_id"], {})[doc["_id"]] = doc["created_at"]
    await ctx.budget.reserve_many(reservations)
    await ctx.messages.plan_many({d["_id"]: d["send_after"] for d in scheduled})
    for doc in docs:
        if doc["_id"] in existing:
            continue
        if doc["reason"]:
            SMS_OUTCOMES.labels("survey", "skipped", doc["reason"]).inc()
            log.info("message_skipped", message_id=doc["_id"], kind="survey", reason=doc["reason"])
        else:
            log.info(
                "message_scheduled",
                message_id=doc["_id"],
                kind="survey",
                client_id=doc["client_id"],
            )
