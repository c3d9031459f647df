"""Survey answers in the demo: the clients' phones reply through the SMS provider's webhook.

The demo watches (as staff, through the gateway) for each client's survey SMS to go
out, then answers it as the provider would deliver the reply: a signed webhook call.
Scores follow the employee who served the visit; a few are poor, and surveys turns
those into cases for the complaints desk (win-back).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from typing import Any

from demo.gateway import Gateway
from demo.world import EMPLOYEE_MEAN_SCORE, DemoClient

POOR_COMMENTS = ("waited far too long", "rude at the till", "wrong change", "stale cake")
GOOD_COMMENTS = ("", "", "lovely staff", "great tea", "quick and friendly")
SURVEY_KINDS = ("survey", "re_survey")


def score_for(employee_id: str | None, rng: random.Random) -> int:
    if rng.random() < 0.06:
        return rng.randint(0, 3)  # a bad day: opens a case
    mean = EMPLOYEE_MEAN_SCORE.get(employee_id or "", 8.0)
    return max(0, min(10, round(rng.gauss(mean, 1.2))))


def reply_text(score: int, rng: random.Random) -> str:
    comment = rng.choice(POOR_COMMENTS if score <= 3 else GOOD_COMMENTS)
    return f"{score} {comment}".strip()


async def sent_survey(gw: Gateway, client_id: str) -> dict[str, Any] | str:
    """The client's latest survey SMS once it has gone out, else `not_yet` (surveys has
    not read the visit, or the SMS waits for its time) or `no_survey` (all skipped)."""
    messages = await gw.json("GET", f"/api/v1/clients/{client_id}/messages")
    surveys = [m for m in messages if m["kind"] in SURVEY_KINDS]
    sent = [m for m in surveys if m["status"] == "sent"]
    if sent:
        latest: dict[str, Any] = max(sent, key=lambda m: m.get("sent_at") or "")
        return latest
    if not surveys or any(m["status"] == "scheduled" for m in surveys):
        return "not_yet"
    return "no_survey"


async def answer_one(gw: Gateway, client: DemoClient, secret: str, seed: int) -> str:
    rng = random.Random(f"answer:{seed}:{client.index}")  # the same choices on a retry
    if client.client_id is None or rng.random() > 0.8:  # not everyone answers
        return "not_answered"
    survey = await sent_survey(gw, client.client_id)
    if isinstance(survey, str):
        return survey
    score = score_for(survey.get("employee_id"), rng)
    return await gw.sms_reply(
        client.phone, reply_text(score, rng), f"demo-{seed}-{survey['id']}", secret
    )


async def caught_up(gw: Gateway, client: DemoClient, deadline: float) -> None:
    """Wait until the last client's survey went out: surveys has read (nearly) every
    visit by then, so one pass over all clients finds most surveys sent. One client's
    messages are read every few seconds meanwhile, not everyone's (each read scans)."""
    while client.client_id and time.monotonic() < deadline:
        if await sent_survey(gw, client.client_id) != "not_yet":
            return
        await asyncio.sleep(3)


async def answer_surveys(
    gw: Gateway, clients: list[DemoClient], secret: str, seed: int, wait_s: float
) -> Counter[str]:
    """Answer every survey the clients got (within `wait_s` for them to go out)."""
    deadline = time.monotonic() + wait_s
    pending = [c for c in clients if c.sms_consent and c.spend > 0]
    if pending:
        await caught_up(gw, pending[-1], deadline)
    outcomes: Counter[str] = Counter()
    while pending:
        found = await asyncio.gather(*(answer_one(gw, c, secret, seed) for c in pending))
        outcomes.update(f for f in found if f != "not_yet")
        pending = [c for c, f in zip(pending, found, strict=True) if f == "not_yet"]
        if pending and time.monotonic() > deadline:
            outcomes["not_sent_in_time"] += len(pending)
            break
        await asyncio.sleep(5 if pending else 0)
    return outcomes
