"""Retention: survey messages and answers older than the configured period go.

A daily job: every replica runs it and the first to claim the period
(`shared.jobs`) purges; deleting what is gone already is harmless besides. Scores
and ratings are counts without personal data and stay.
"""

from __future__ import annotations

from datetime import timedelta

from services.surveys.answers.repository import ANSWERS
from services.surveys.bootstrap import Context
from services.surveys.dispatch.repository import MESSAGES
from shared.jobs import claim_interval
from shared.logging import get_logger
from shared.store.retention import purge_before

log = get_logger(__name__)


async def purge_expired(ctx: Context) -> tuple[int, int]:
    """Delete messages created, and answers received, before the retention period;
    returns (messages, answers) deleted."""
    cutoff = ctx.clock() - timedelta(days=ctx.settings.message_retention_days)
    db = ctx.store
    messages = await purge_before(db[MESSAGES], "created_at", cutoff)
    answers = await purge_before(db[ANSWERS], "received_at", cutoff)
    if messages or answers:
        log.info("retention_purged", messages=messages, answers=answers, before=cutoff.isoformat())
    return messages, answers


async def purge_expired_once(ctx: Context) -> bool:
    """The scheduled purge: run by the replica that claims this period; True if this one."""
    if not await claim_interval(
        ctx.store, "retention", ctx.clock(), ctx.settings.retention_interval_s
    ):
        return False
    await purge_expired(ctx)
    return True
