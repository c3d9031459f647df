"""The periodic dispatcher: sends the messages that are due, and runs the daily jobs.

For each due message: claim it (an atomic insert), re-check the rules (the client may
have opted out, complained or entered quiet hours since it was planned), send it
through the provider, then record the outcome. A sent survey opens
`open_survey:<phone>` and announces `survey.requested` through the outbox.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.surveys.bootstrap import Context
from services.surveys.dispatch.providers import SMS_OUTCOMES
from services.surveys.dispatch.repository import MESSAGES
from services.surveys.outreach.handlers import contact_state, greet_name_days, policy_of
from services.surveys.outreach.model import (
    SURVEY_KINDS,
    contact_decision,
    in_quiet_hours,
    quiet_hours_end,
)
from shared.contracts.surveys import SurveyRequested
from shared.jobs import claim_period
from shared.logging import get_logger

log = get_logger(__name__)


async def _skip(ctx: Context, doc: dict[str, Any], reason: str) -> None:
    await ctx.messages.update(doc["_id"], {"status": "skipped", "reason": reason})
    await ctx.budget.release(doc["client_id"], doc["_id"])
    await ctx.messages.unplan(doc["_id"])
    SMS_OUTCOMES.labels(doc["kind"], "skipped", reason).inc()
    log.info("message_skipped", message_id=doc["_id"], kind=doc["kind"], reason=reason)


async def _sent(ctx: Context, doc: dict[str, Any], provider_id: str | None) -> None:
    events = []
    if doc["kind"] in SURVEY_KINDS:
        events.append(
            SurveyRequested(
                survey_id=doc["_id"],
                client_id=doc["client_id"],
                employee_id=doc.get("employee_id"),
                store_id=doc.get("store_id"),
                purchase_id=doc.get("purchase_id"),
            )
        )
    fields = {
        "status": "sent",
        "sent_at": ctx.clock(),
        "provider": ctx.provider.name,
        "provider_id": provider_id,
    }
    entries = await ctx.outbox.update(MESSAGES, doc["_id"], {"$set": fields}, events)
    await ctx.messages.unplan(doc["_id"])
    await ctx.outbox.flush_quietly(MESSAGES, doc["_id"], entries)
    SMS_OUTCOMES.labels(doc["kind"], "sent", "").inc()
    log.info("message_sent", message_id=doc["_id"], kind=doc["kind"], client_id=doc["client_id"])


async def send_one(ctx: Context, msg_id: str) -> None:
    now = ctx.clock()
    stale_before = now - timedelta(seconds=ctx.settings.claim_timeout_s)
    if not await ctx.messages.claim(msg_id, now, stale_before):
        return
    try:
        await _deliver(ctx, msg_id, now)
    except Exception:
        await ctx.messages.release_claim(msg_id)  # the next round tries again
        raise


async def _deliver(ctx: Context, msg_id: str, now: datetime) -> None:
    doc = await ctx.messages.get(msg_id)
    if doc is None or doc["status"] != "scheduled":
        await ctx.messages.unplan(msg_id)
        return
    policy = policy_of(ctx)
    if doc["kind"] not in SURVEY_KINDS and in_quiet_hours(now, policy):
        await ctx.messages.plan(msg_id, quiet_hours_end(now, policy))
        await ctx.messages.update(msg_id, {"deferred": "quiet_hours"})
        await ctx.messages.release_claim(msg_id)
        return
    client = await ctx.clients.resolve(doc["client_id"])
    state = await contact_state(ctx, client, besides=msg_id) if client else None
    reason = (
        contact_decision(client, state, policy, doc["kind"], now) if state else "unknown_client"
    )
    if reason or client is None or not client.phone:
        await _skip(ctx, doc, reason or "unknown_client")
        return
    if doc["kind"] in SURVEY_KINDS:
        await ctx.clients.set_open_survey(client.phone, msg_id)
    result = await ctx.provider.send(client.phone, doc["text"], msg_id)
    await ctx.messages.add_attempts(msg_id, result.failures, ctx.clock())
    if result.ok:
        await _sent(ctx, doc | {"client_id": client.client_id}, result.provider_id)
        return
    if doc["kind"] in SURVEY_KINDS:
        await ctx.clients.close_survey(client.phone, msg_id)
    await ctx.messages.update(msg_id, {"status": "failed", "reason": "provider_error"})
    await ctx.budget.release(doc["client_id"], msg_id)
    await ctx.messages.unplan(msg_id)
    SMS_OUTCOMES.labels(doc["kind"], "failed", "provider_error").inc()
    log.warning("message_failed", message_id=msg_id, failures=result.failures)


async def dispatch_due(ctx: Context) -> int:
    due = await ctx.messages.due(ctx.clock())
    for msg_id in due:
        await send_one(ctx, msg_id)
    return len(due)


async def send_due_batch(ctx: Context, limit: int) -> dict[str, int]:
    """Send up to `limit` messages due now (`clientele surveys send-due`): what became of
    them (sent, skipped, failed; `deferred` = still planned: quiet hours, or the
    periodic dispatcher holds it) and how many due ones are left."""
    due = sorted(await ctx.messages.due(ctx.clock()))
    outcomes = {"sent": 0, "skipped": 0, "failed": 0, "deferred": 0}
    for msg_id in due[:limit]:
        await send_one(ctx, msg_id)
        doc = await ctx.messages.get(msg_id)
        status = doc["status"] if doc else "skipped"
        outcomes[status if status in outcomes else "deferred"] += 1
    return outcomes | {"remaining": max(len(due) - limit, 0)}


async def name_days_once_a_day(ctx: Context) -> None:
    local = ctx.clock().astimezone(ZoneInfo(ctx.settings.timezone))
    if local.hour < ctx.settings.name_day_hour:
        return
    # One replica plans each hour of the day (its claim): a replica that died after
    # claiming leaves the day's greetings to the next hour's run, not to tomorrow.
    # Greetings are planned under one message id per client and day, so planning them
    # again each hour sends each once.
    hour = local.strftime("%Y-%m-%dT%H")
    if not await claim_period(ctx.store, "name_days", hour, ctx.clock()):
        return
    planned = await greet_name_days(ctx, local.date())
    log.info("name_day_greetings_planned", day=str(local.date()), planned=planned)


async def dispatch_round(ctx: Context) -> None:
    """One round of the periodic dispatcher (a `PeriodicTask` of the service)."""
    await dispatch_due(ctx)
    await name_days_once_a_day(ctx)
