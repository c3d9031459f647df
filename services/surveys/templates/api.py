"""Message templates: the defaults and staff's own, per kind and language."""

from __future__ import annotations

from fastapi import APIRouter

from services.surveys.bootstrap import Ctx
from services.surveys.templates.model import (
    PLACEHOLDERS,
    default_template,
    placeholders_in,
    template_key,
    validate_template,
)
from services.surveys.templates.schemas import TemplateRequest, TemplateResponse
from shared.problems import Invalid

router = APIRouter(prefix="/internal/v1", tags=["surveys"])


@router.get("/templates", response_model=list[TemplateResponse])
async def list_templates(ctx: Ctx) -> list[TemplateResponse]:
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
    kind: str, language: str, body: TemplateRequest, ctx: Ctx
) -> TemplateResponse:
    if not language.isalpha() or not 2 <= len(language) <= 8:
        raise Invalid(f"{language!r} is not a language code like 'en' or 'de'")
    validate_template(kind, body.text)
    await ctx.templates.put(template_key(kind, language.lower()), body.text, ctx.clock())
    return TemplateResponse(
        kind=kind,
        language=language.lower(),
        text=body.text,
        placeholders=sorted(placeholders_in(body.text)),
    )
