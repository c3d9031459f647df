"""Ratings and complaint state from events: survey.answered, complaint.filed/resolved.

Ratings are read models: each answer adds `$inc` counts to its employee, store,
category and overall documents for all time, and the month and ISO week of the visit
it rates (of the answer for surveys planned before `visited_at` was recorded). Complaints
attributed to an employee count against them in the month the complaint was filed
(founded ones once more when resolved as founded). A case opened from a low score is
followed, once resolved, by a re-survey.
"""

from __future__ import annotations

from typing import Any

from services.surveys.bootstrap import Context
from services.surveys.outreach.handlers import re_survey
from services.surveys.ratings.model import month_of, periods_of, score_increments
from shared.contracts.complaints import ComplaintFiled, ComplaintResolved
from shared.contracts.surveys import SurveyAnswered
from shared.logging import get_logger

log = get_logger(__name__)

EMPLOYEE_COMPLAINTS = "employee_complaints"
SURVEY_CHANNELS = frozenset({"survey", "sms_survey"})


async def count_answer(ctx: Context, event: SurveyAnswered) -> None:
    key = str(event.event_id)  # the pipeline dedups on it; `_last_applied` per document
    increments = score_increments(event.score)
    subjects = [("all", "all"), ("employee", event.employee_id)]
    subjects += [("store", event.store_id), ("category", event.category)]
    # A survey rates a visit: a late answer (or a back-filled visit) counts in its week.
    for period in periods_of(event.visited_at or event.occurred_at, ctx.settings.timezone):
        for kind, subject in subjects:
            if subject:
                await ctx.ratings.add(kind, subject, period, increments, key)
    entry = {
        "survey_id": event.survey_id,
        "score": event.score,
        "comment": event.comment,
        "employee_id": event.employee_id,
        "store_id": event.store_id,
        "at": event.occurred_at,
    }
    await ctx.ratings.remember_score(event.client_id, entry)
    if event.score <= ctx.settings.low_score_max:
        low = entry | {"client_id": event.client_id}
        await ctx.complaints.record(f"low_score:{event.client_id}", low)


async def complaint_filed(ctx: Context, event: ComplaintFiled) -> None:
    key = str(event.event_id)
    survey_id = event.survey_id
    if survey_id is None and event.channel in SURVEY_CHANNELS:
        low = await ctx.complaints.get(f"low_score:{event.client_id}") or {}
        survey_id = low.get("survey_id")
    # complaint.resolved travels on another topic and may have arrived first.
    earlier = await ctx.complaints.get(event.complaint_id) or {}
    resolved = earlier.get("open") is False
    # The month the case came in (a letter filed later is back-dated), not when filed.
    month = month_of(event.opened_at or event.occurred_at, ctx.settings.timezone)
    fields: dict[str, Any] = {"client_id": event.client_id, "employee_id": event.employee_id}
    fields |= {"open": not resolved, "month": month, "survey_id": survey_id}
    await ctx.complaints.record(event.complaint_id, fields)
    if not resolved:
        await ctx.complaints.mark_open(event.client_id, event.complaint_id, True)
    if event.employee_id:
        counts = {"complaints": 1, "complaints_founded": int(bool(earlier.get("founded")))}
        await ctx.ratings.add(EMPLOYEE_COMPLAINTS, event.employee_id, month, counts, key)
    if resolved and survey_id:
        await _re_survey(ctx, event.complaint_id, event.client_id, survey_id)


async def _re_survey(ctx: Context, complaint_id: str, client_id: str, survey_id: str) -> None:
    original = await ctx.messages.get(survey_id) or {}
    await re_survey(ctx, complaint_id, client_id, original)


async def complaint_resolved(ctx: Context, event: ComplaintResolved) -> None:
    key = str(event.event_id)
    case = await ctx.complaints.get(event.complaint_id) or {}
    await ctx.complaints.record(event.complaint_id, {"open": False, "founded": event.founded})
    await ctx.complaints.mark_open(event.client_id, event.complaint_id, False)
    employee = event.employee_id or case.get("employee_id")
    if event.founded and employee and case:
        await ctx.ratings.add(
            EMPLOYEE_COMPLAINTS, employee, case["month"], {"complaints_founded": 1}, key
        )
    if case.get("survey_id"):
        await _re_survey(ctx, event.complaint_id, event.client_id, case["survey_id"])
