"""Surveys' internal HTTP routes: the SMS webhook, client scores, messages, templates."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query, Request

from services.surveys import dispatcher, handlers_answers, handlers_outreach
from services.surveys.handlers import Surveys
from services.surveys.model_templates import (
    PLACEHOLDERS,
    default_template,
    placeholders_in,
    template_key,
    validate_template,
)
from services.surveys.schemas import (
    ClientScoresResponse,
    InboundResult,
    KnownClientResponse,
    LatestScore,
    MessageResponse,
    NameDayRun,
    SendDueRun,
    TemplateRequest,
    TemplateResponse,
)
from services.surveys.webhook_signature import HEADER
from shared.problems import Invalid, NotFound

router = APIRouter(prefix="/internal/v1", tags=["surveys"])


def surveys(request: Request) -> Surveys:
    found: Surveys = request.app.state.surveys
    return found


@router.get("/clients/{client_id}", response_model=KnownClientResponse)
async def known_client(client_id: str, request: Request) -> KnownClientResponse:
    client = await surveys(request).clients.get(client_id)
    if client is None:
        raise NotFound(f"client {client_id} is not known to surveys yet")
    return KnownClientResponse(**client.model_dump())


@router.get("/clients/{client_id}/scores", response_model=ClientScoresResponse)
async def client_scores(client_id: str, request: Request) -> ClientScoresResponse:
    """The latest survey scores of a client, for the client card (empty when none)."""
    latest = [LatestScore(**e) for e in await surveys(request).ratings.latest_scores(client_id)]
    average = round(sum(s.score for s in latest) / len(latest), 2) if latest else None
    return ClientScoresResponse(client_id=client_id, latest=latest, average=average)


@router.get("/clients/{client_id}/messages", response_model=list[MessageResponse])
async def client_messages(client_id: str, request: Request) -> list[MessageResponse]:
    """Every message to a client, sent or skipped, with why (staff view; scans)."""
    docs = await surveys(request).messages.of_client(client_id)
    return [MessageResponse.of(d) for d in sorted(docs, key=lambda d: d["created_at"])]


@router.get("/messages/{message_id}", response_model=MessageResponse)
async def get_message(message_id: str, request: Request) -> MessageResponse:
    doc = await surveys(request).messages.get(message_id)
    if doc is None:
        raise NotFound(f"no message {message_id}")
    return MessageResponse.of(doc)


@router.post("/sms/inbound", response_model=InboundResult)
async def sms_inbound(request: Request) -> InboundResult:
    """The SMS provider's webhook (signed; see docs/surveys.md for the scheme)."""
    body = await request.body()
    result = await handlers_answers.receive_sms(
        surveys(request), body, request.headers.get("content-type", ""), request.headers.get(HEADER)
    )
    return InboundResult(**result)


@router.get("/templates", response_model=list[TemplateResponse])
async def list_templates(request: Request) -> list[TemplateResponse]:
    ctx = surveys(request)
    stored = await ctx.templates.all()
    languages = {ctx.settings.default_language, "en", "de"} | {k.split(":")[1] for k in stored}
    found = []
    for kind in sorted(PLACEHOLDERS):
        for language in sorted(languages):
            text = stored.get(template_key(kind, language)) or default_template(
                kind, language, ctx.settings.default_language
            )
            found.append(
                TemplateResponse(
                    kind=kind,
                    language=language,
                    text=text,
                    placeholders=sorted(placeholders_in(text)),
                )
            )
    return found


@router.put("/templates/{kind}/{language}", response_model=TemplateResponse)
async def put_template(
    kind: str, language: str, body: TemplateRequest, request: Request
) -> TemplateResponse:
    if not language.isalpha() or not 2 <= len(language) <= 8:
        raise Invalid(f"{language!r} is not a language code like 'en' or 'de'")
    validate_template(kind, body.text)
    ctx = surveys(request)
    await ctx.templates.put(template_key(kind, language.lower()), body.text, ctx.clock())
    return TemplateResponse(
        kind=kind,
        language=language.lower(),
        text=body.text,
        placeholders=sorted(placeholders_in(body.text)),
    )


@router.post("/jobs/name-days", response_model=NameDayRun)
async def run_name_days(request: Request, day: date | None = Query(None)) -> NameDayRun:
    """Plan today's (or `day`'s) name-day greetings; running it twice plans them once."""
    ctx = surveys(request)
    when = day or ctx.clock().date()
    planned = await handlers_outreach.greet_name_days(ctx, when)
    return NameDayRun(day=when.isoformat(), planned=planned)


@router.post("/jobs/send-due", response_model=SendDueRun)
async def send_due(request: Request, limit: int = Query(100, ge=1, le=10_000)) -> SendDueRun:
    """Send up to `limit` messages that are due now, as the periodic dispatcher would
    (the same claims: running both at once sends nothing twice)."""
    return SendDueRun(**await dispatcher.send_due_batch(surveys(request), limit))
