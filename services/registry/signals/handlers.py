"""Events of other services that become signals on the client card."""

from __future__ import annotations

from services.registry.bootstrap import Context
from shared.contracts.complaints import ComplaintFiled, ComplaintResolved
from shared.contracts.loyalty import TierChanged
from shared.contracts.surveys import SurveyAnswered
from shared.logging import get_logger

log = get_logger(__name__)


async def complaint_filed(ctx: Context, event: ComplaintFiled) -> None:
    await ctx.signals.add_to_set(event.client_id, "complaints_filed", event.complaint_id)
    log.info("signal_complaint_filed", client_id=event.client_id)


async def complaint_resolved(ctx: Context, event: ComplaintResolved) -> None:
    # Kept as a set of its own, so a resolution arriving before its filing still counts.
    await ctx.signals.add_to_set(event.client_id, "complaints_resolved", event.complaint_id)
    log.info("signal_complaint_resolved", client_id=event.client_id)


async def survey_answered(ctx: Context, event: SurveyAnswered) -> None:
    values = {"score": event.score, "survey_id": event.survey_id}
    if await ctx.signals.keep_latest(event.client_id, "survey", event.occurred_at, values):
        log.info("signal_survey_score", client_id=event.client_id, score=event.score)


async def tier_changed(ctx: Context, event: TierChanged) -> None:
    if await ctx.signals.keep_latest(
        event.client_id, "tier", event.occurred_at, {"tier": event.new_tier}
    ):
        log.info("signal_tier", client_id=event.client_id, tier=event.new_tier)
