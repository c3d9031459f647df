"""Dead letters for admins: which `<topic>.dlq` topics exist and what they hold."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.gateway.bootstrap import Ctx
from services.gateway.dead_letters.reader import (
    BadCursor,
    UnknownTopic,
    dlq_topics,
    parse_cursor,
    read_letters,
)
from services.gateway.dead_letters.schemas import DeadLetters
from shared.problems import Invalid, NotFound, Unavailable

router = APIRouter(prefix="/api/v1")


@router.get("/dlq", response_model=list[str], tags=["admin"])
async def list_dead_letter_topics(rt: Ctx) -> list[str]:
    try:
        return await dlq_topics(rt.settings.kafka_bootstrap_servers, rt.settings.topic_prefix)
    except Exception as exc:
        raise Unavailable(f"Kafka does not answer: {type(exc).__name__}") from exc


@router.get("/dlq/{topic}", response_model=DeadLetters, tags=["admin"])
async def read_dead_letters(
    topic: str,
    rt: Ctx,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[str | None, Query(max_length=2000)] = None,
) -> DeadLetters:
    """The newest letters of one `<topic>.dlq` (logical name, e.g. `purchase.recorded.dlq`)
    on every partition, newest first; page with `before=<next_before>`."""
    if not topic.endswith(".dlq"):
        raise Invalid("topic: name a dead-letter topic ending in .dlq")
    settings = rt.settings
    try:
        page = await read_letters(
            settings.kafka_bootstrap_servers, settings.topic_prefix + topic, limit,
            parse_cursor(before),
        )  # fmt: skip
    except BadCursor as exc:
        raise Invalid(str(exc)) from exc
    except UnknownTopic as exc:
        raise NotFound(f"no dead-letter topic {topic!r}") from exc
    except Exception as exc:
        raise Unavailable(f"Kafka does not answer: {type(exc).__name__}") from exc
    body = {"topic": topic, "letters": page.letters, "held": page.held}
    return DeadLetters.model_validate(body | {"next_before": page.next_before})
