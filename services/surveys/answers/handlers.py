"""Inbound SMS: the provider's webhook, verified, matched to the open survey, recorded.

A reply is matched through `open_survey:<phone>` (the sender in E.164, shared.identity);
a sender that is not a phone number (an alphanumeric id) cannot be anyone we asked, so
its reply is kept as unmatched. "9" or "9 great staff" answers the
survey (`survey.answered` through the outbox); STOP opts the phone out; anything else
is kept as an unparsed reply for staff, and a reply nobody asked for is kept as
unmatched. Only a bad signature is refused (401), and then nothing is stored.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import parse_qs

from services.surveys.answers.model import ParsedReply, parse_reply
from services.surveys.answers.signature import verify
from services.surveys.bootstrap import Context
from services.surveys.dispatch.providers import SMS_REPLIES
from services.surveys.dispatch.repository import MESSAGES
from shared.contracts.surveys import SurveyAnswered
from shared.identity import InvalidPhone, normalise_phone, phone_key
from shared.logging import get_logger
from shared.problems import Invalid

log = get_logger(__name__)


class InvalidInbound(Invalid):
    """The webhook body is signed correctly but does not say who wrote what."""


def read_inbound(body: bytes, content_type: str) -> dict[str, str]:
    """Form-encoded (the providers' usual shape) or JSON: `from`, `text`, optional `id`."""
    if "json" in content_type:
        try:
            data: Any = json.loads(body or b"{}")
        except ValueError as exc:
            raise InvalidInbound(f"the body is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise InvalidInbound("the body must be a JSON object")
        fields = {k: str(v) for k, v in data.items() if v is not None}
    else:
        fields = {k: v[0] for k, v in parse_qs(body.decode(errors="replace")).items()}
    missing = [f for f in ("from", "text") if not fields.get(f, "").strip()]
    if missing and not (missing == ["text"] and "text" in fields):
        raise InvalidInbound(f"missing field(s): {', '.join(missing)}")
    fields.setdefault("id", "h" + hashlib.sha256(body).hexdigest()[:32])
    return fields


async def receive_sms(
    ctx: Context, body: bytes, content_type: str, signature: str | None
) -> dict[str, Any]:
    """Raises BadSignature (-> 401) or InvalidInbound (-> 422); else says what happened."""
    verify(
        ctx.settings.webhook_secret,
        body,
        signature,
        ctx.clock().timestamp(),
        ctx.settings.webhook_tolerance_s,
    )
    fields = read_inbound(body, content_type)
    answer: dict[str, Any] = {
        "_id": fields["id"],
        "phone": fields["from"].strip(),
        "text": fields["text"],
        "received_at": ctx.clock(),
        "client_id": None,
    }
    try:
        phone = normalise_phone(fields["from"], ctx.settings.default_region)
    except InvalidPhone:
        return await _store(ctx, answer | {"status": "unmatched"})
    answer |= {"phone": phone, "client_id": await ctx.clients.client_by(phone_key(phone))}
    reply = parse_reply(fields["text"])
    if reply.stop:
        await ctx.opt_outs.add(phone, ctx.clock(), answer["client_id"])
        return await _store(ctx, answer | {"status": "opted_out"})
    survey_id = await ctx.clients.open_survey(phone)
    survey = await ctx.messages.get(survey_id) if survey_id else None
    if survey is None or survey.get("status") != "sent":
        return await _store(ctx, answer | {"status": "unmatched"})
    answer |= {"survey_id": survey["_id"], "client_id": survey["client_id"]}
    if reply.score is None:
        return await _store(ctx, answer | {"status": "unparsed"})
    await _answer_survey(ctx, survey, reply, answer)
    return await _store(ctx, answer | {"status": "answered", "score": reply.score})


async def _store(ctx: Context, answer: dict[str, Any]) -> dict[str, Any]:
    if not await ctx.answers.add(answer):
        log.info("inbound_duplicate", answer_id=answer["_id"])
    SMS_REPLIES.labels(answer["status"]).inc()
    log.info("sms_received", answer_id=answer["_id"], status=answer["status"])
    return {k: answer.get(k) for k in ("status", "survey_id", "score")} | {"id": answer["_id"]}


async def _answer_survey(
    ctx: Context, survey: dict[str, Any], reply: ParsedReply, answer: dict[str, Any]
) -> None:
    assert reply.score is not None
    event = SurveyAnswered(
        survey_id=survey["_id"],
        client_id=survey["client_id"],
        employee_id=survey.get("employee_id"),
        store_id=survey.get("store_id"),
        category=survey.get("category"),
        score=reply.score,
        comment=reply.comment,
        visited_at=survey.get("visited_at"),
    )
    fields = {
        "status": "answered",
        "answer": {
            "id": answer["_id"],
            "score": reply.score,
            "comment": reply.comment,
            "text": answer["text"],
            "at": answer["received_at"],
        },
    }
    entries = await ctx.outbox.update(MESSAGES, survey["_id"], {"$set": fields}, [event])
    await ctx.clients.close_survey(answer["phone"], survey["_id"])
    await ctx.outbox.flush_quietly(MESSAGES, survey["_id"], entries)
    log.info("survey_answered", survey_id=survey["_id"], score=reply.score)
