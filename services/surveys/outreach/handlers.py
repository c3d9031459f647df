"""Deciding and planning outbound messages: surveys after visits, greetings, win-back.

Every trigger makes one message with a deterministic id (purchase, ledger entry,
event, day), so a redelivered trigger finds its message and changes nothing. A
message is stored either `scheduled` (budget reserved, waiting in `schedule`) or
`skipped` with the reason; the dispatcher re-checks the rules when it is due.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from services.surveys.bootstrap import Context
from services.surveys.clients.model import KnownClient
from services.surveys.dispatch.providers import SMS_OUTCOMES
from services.surveys.outreach.model import (
    SURVEY_KINDS,
    ContactState,
    Policy,
    contact_decision,
    message_id,
    quiet_hours_end,
    sent_within,
)
from services.surveys.templates.model import default_template, render, template_key
from shared.contracts.loyalty import BonusAccrued, ClientAtRisk
from shared.contracts.pos import ClientRef
from shared.identity import reference_keys
from shared.logging import get_logger
from shared.messaging.waiting import ClientNotKnownYet

log = get_logger(__name__)


def policy_of(ctx: Context) -> Policy:
    s = ctx.settings
    return Policy(s.contact_budget, s.quiet_hours_start, s.quiet_hours_end, s.timezone)


async def contact_state(
    ctx: Context, client: KnownClient, besides: str | None = None
) -> ContactState:
    sent = await ctx.budget.sent_times(client.client_id, besides)
    return ContactState(
        opted_out=await ctx.opt_outs.has(client.phone),
        open_complaints=await ctx.complaints.open_count([client.client_id]),
        sent_in_window=sent_within(sent, ctx.clock(), ctx.settings.budget_window_days),
    )


async def message_text(
    ctx: Context, kind: str, client: KnownClient | None, values: dict[str, str]
) -> str:
    language = (client.language if client else None) or ctx.settings.default_language
    stored = await ctx.templates.get(template_key(kind, language))
    text = stored or default_template(kind, language, ctx.settings.default_language)
    return render(text, values | {"name": client.name if client else ""})


async def plan_message(
    ctx: Context,
    kind: str,
    msg_id: str,
    client_id: str | None,
    values: dict[str, str],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Store one message as scheduled or skipped (with why); the same id twice is a no-op."""
    existing = await ctx.messages.get(msg_id)
    if existing is not None:
        if existing["status"] == "scheduled":  # a crash may have come before the plan
            await ctx.budget.reserve(existing["client_id"], msg_id, existing["created_at"])
            await ctx.messages.plan(msg_id, existing["send_after"])
        return existing
    doc = await _decide(ctx, kind, msg_id, client_id, values, dict(extra or {}))
    await ctx.messages.create(doc)
    if doc["reason"]:
        SMS_OUTCOMES.labels(kind, "skipped", doc["reason"]).inc()
        log.info("message_skipped", message_id=msg_id, kind=kind, reason=doc["reason"])
        return doc
    await ctx.budget.reserve(doc["client_id"], msg_id, doc["created_at"])
    await ctx.messages.plan(msg_id, doc["send_after"])
    log.info("message_scheduled", message_id=msg_id, kind=kind, client_id=doc["client_id"])
    return doc


async def _decide(
    ctx: Context,
    kind: str,
    msg_id: str,
    client_id: str | None,
    values: dict[str, str],
    extra: dict[str, Any],
) -> dict[str, Any]:
    """The new message document: when it would go out, or why it will not."""
    client = await ctx.clients.resolve(client_id) if client_id else None
    now = ctx.clock()
    delay = ctx.settings.send_delay_s if kind in SURVEY_KINDS else 0
    send_at = now + timedelta(seconds=delay)
    if kind not in SURVEY_KINDS:
        send_at = quiet_hours_end(send_at, policy_of(ctx))  # greetings wait for the morning
    state = await contact_state(ctx, client) if client else ContactState(False, 0, 0)
    reason = extra.pop("skip", None)
    reason = reason or contact_decision(client, state, policy_of(ctx), kind, send_at)
    doc: dict[str, Any] = {
        "_id": msg_id,
        "kind": kind,
        "client_id": client.client_id if client else client_id,
        "phone": client.phone if client else None,
        "text": await message_text(ctx, kind, client, values),
        "status": "skipped" if reason else "scheduled",
        "reason": reason,
        "created_at": now,
        "send_after": send_at,
        **extra,
    }
    if kind in SURVEY_KINDS:
        doc["category"] = client.category if client else None
    return doc


async def client_of(ctx: Context, keys: list[str]) -> str | None:
    """The client the first key that is known leads to (client id, card, phone)."""
    for key in keys:
        if key.startswith("client:"):
            return key.removeprefix("client:")
        found = await ctx.clients.client_by(key)
        if found:
            return found
    return None


def waiting_keys(ctx: Context, ref: ClientRef) -> list[str]:
    """The client keys a purchase names, as the waiting room releases them (shared
    rule: InvalidPhone for a phone that cannot be read parks the event in the DLQ)."""
    return reference_keys(ctx.settings.default_region, ref.client_id, ref.card_number, ref.phone)


async def require_known(ctx: Context, client_id: str) -> None:
    """Loyalty's events name clients it learnt of from the same registration that
    surveys may not have applied yet (another topic): such an event waits for it."""
    if await ctx.clients.get(client_id) is None:
        raise ClientNotKnownYet([f"client:{client_id}"], "unknown_client")


async def birthday_greeting(ctx: Context, event: BonusAccrued) -> None:
    if event.reason != "birthday":
        return
    await require_known(ctx, event.client_id)
    bonus = f"{event.amount:.2f} {event.currency}"
    msg_id = message_id("birthday", event.ledger_entry_id)
    await plan_message(ctx, "birthday", msg_id, event.client_id, {"bonus": bonus})


async def win_back(ctx: Context, event: ClientAtRisk) -> None:
    await require_known(ctx, event.client_id)
    msg_id = message_id("win_back", event.client_id, event.last_purchase_at.isoformat())
    await plan_message(ctx, "win_back", msg_id, event.client_id, {})


async def greet_name_days(ctx: Context, day: date) -> int:
    """Plan a name-day greeting for everyone whose name day is `day`; returns how many."""
    planned = 0
    for client in await ctx.clients.with_name_day(day.strftime("%m-%d")):
        if client.erased or client.merged_into:
            continue
        msg_id = message_id("name_day", client.client_id, day.isoformat())
        doc = await plan_message(ctx, "name_day", msg_id, client.client_id, {})
        planned += doc["status"] == "scheduled"
    return planned


async def re_survey(ctx: Context, complaint_id: str, client_id: str, low: dict[str, Any]) -> None:
    """After a complaint opened from a low score is resolved: ask again."""
    msg_id = message_id("re_survey", complaint_id)
    extra = {
        "survey_id": msg_id,
        "employee_id": low.get("employee_id"),
        "store_id": low.get("store_id"),
        "purchase_id": low.get("purchase_id"),
        "complaint_id": complaint_id,
    }
    values = {"store": low.get("store_id") or "", "employee": low.get("employee_id") or ""}
    await plan_message(ctx, "re_survey", msg_id, client_id, values, extra)
