"""Ratings and complaint state from events: survey.answered, complaint.filed/resolved.

Ratings are read models: each answer adds `$inc` counts to its employee, store,
category and overall documents for all time, its month and its ISO week. Complaints
attributed to an employee count against them in the month the complaint was filed
(founded ones once more when resolved as founded). A case opened from a low score is
followed, once resolved, by a re-survey.
"""

from __future__ import annotations

from services.surveys.handlers import Surveys
from services.surveys.handlers_outreach import re_survey
from services.surveys.model_ratings import month_of, periods_of, score_increments
from shared.contracts.complaints import ComplaintFiled, ComplaintResolved
from shared.contracts.surveys import SurveyAnswered
from shared.logging import get_logger

log = get_logger(__name__)

EMPLOYEE_COMPLAINTS = "employee_complaints"


async def count_answer(ctx: Surveys, event: SurveyAnswered) -> None:
    key = str(event.event_id)
    inbox = ctx.inbox(event.TOPIC)
    if await inbox.seen(key):
        log.info("duplicate_event_ignored", survey_id=event.survey_id)
        return
    increments = score_increments(event.score)
    subjects = [("all", "all"), ("employee", event.employee_id)]
    subjects += [("store", event.store_id), ("category", event.category)]
    for period in periods_of(event.occurred_at, ctx.settings.timezone):
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
    await inbox.remember([key])


async def complaint_filed(ctx: Surveys, event: ComplaintFiled) -> None:
    key = str(event.event_id)
    inbox = ctx.inbox(event.TOPIC)
    if await inbox.seen(key):
        return
    low = await ctx.complaints.get(f"low_score:{event.client_id}")
    from_survey = event.channel == "survey" or bool(
        low and event.purchase_id and low.get("purchase_id") == event.purchase_id
    )
    month = month_of(event.occurred_at, ctx.settings.timezone)
    await ctx.complaints.record(
        event.complaint_id,
        {
            "client_id": event.client_id,
            "employee_id": event.employee_id,
            "open": True,
            "month": month,
            "from_survey": from_survey,
        },
    )
    await ctx.complaints.mark_open(event.client_id, event.complaint_id, True)
    if event.employee_id:
        await ctx.ratings.add(EMPLOYEE_COMPLAINTS, event.employee_id, month, {"complaints": 1}, key)
    await inbox.remember([key])


async def complaint_resolved(ctx: Surveys, event: ComplaintResolved) -> None:
    key = str(event.event_id)
    inbox = ctx.inbox(event.TOPIC)
    if await inbox.seen(key):
        return
    case = await ctx.complaints.get(event.complaint_id) or {}
    await ctx.complaints.record(event.complaint_id, {"open": False, "founded": event.founded})
    await ctx.complaints.mark_open(event.client_id, event.complaint_id, False)
    employee = event.employee_id or case.get("employee_id")
    if event.founded and employee:
        month = case.get("month") or month_of(event.occurred_at, ctx.settings.timezone)
        await ctx.ratings.add(EMPLOYEE_COMPLAINTS, employee, month, {"complaints_founded": 1}, key)
    if case.get("from_survey"):
        low = await ctx.complaints.get(f"low_score:{event.client_id}") or {}
        await re_survey(ctx, event.complaint_id, event.client_id, low)
    await inbox.remember([key])
