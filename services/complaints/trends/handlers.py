"""Topic trends: weekly counts per segment (from complaint.filed) and rising topics."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from services.complaints.bootstrap import Context
from services.complaints.trends.model import iso_week, judge, previous_weeks, segments
from services.complaints.trends.repository import TREND_ALERTS, trend_key
from shared.contracts.complaints import ComplaintFiled, ComplaintTrendDetected
from shared.logging import get_logger

log = get_logger(__name__)


class TrendLine(BaseModel):
    topic: str
    segment: str
    week: str
    count: int
    baseline: float
    rising: bool


async def count_filed(ctx: Context, event: ComplaintFiled) -> None:
    """Count a filed case in each of its segments, once per event."""
    week = iso_week(event.opened_at or event.occurred_at)
    for segment in segments(event.client_category, event.store_id, event.client_tier):
        await ctx.trends.count(event.topic, segment, week, str(event.event_id))


async def trend_report(ctx: Context, week: str, segment: str | None = None) -> list[TrendLine]:
    """Every topic and segment counted in `week`, judged against its trailing baseline."""
    window = previous_weeks(week, ctx.policies.trend.window_weeks)
    lines = []
    for doc in await ctx.trends.week(week):
        if segment is not None and doc["segment"] != segment:
            continue
        history = await ctx.trends.counts_of(doc["topic"], doc["segment"], window)
        verdict = judge(int(doc["count"]), history, ctx.policies.trend)
        lines.append(
            TrendLine(
                topic=doc["topic"],
                segment=doc["segment"],
                week=week,
                count=verdict.count,
                baseline=verdict.baseline,
                rising=verdict.rising,
            )
        )
    return sorted(lines, key=lambda t: (not t.rising, -t.count, t.topic, t.segment))


async def detect_trends(ctx: Context, week: str, now: datetime) -> list[TrendLine]:
    """Announce each rising topic once per segment and week (complaint.trend_detected)."""
    rising = [line for line in await trend_report(ctx, week) if line.rising]
    for line in rising:
        key = trend_key(line.topic, line.segment, week)
        event = ComplaintTrendDetected(
            topic=line.topic,
            segment=line.segment,
            week=week,
            count=line.count,
            baseline=line.baseline,
        )
        entries = await ctx.trends.alert(key, line.model_dump() | {"at": now}, event)
        if entries is not None:
            await ctx.outbox.flush_quietly(TREND_ALERTS, key, entries)
            log.info("complaint_trend_detected", topic=line.topic, segment=line.segment, week=week)
    return rising
