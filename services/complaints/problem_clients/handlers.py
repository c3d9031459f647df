"""Problem-client proposals: gather evidence, list it, and let a manager decide.

Confirming asks the registry (which owns categories) to make the client a problem
client: `PATCH /internal/v1/clients/{id}` with `{"category": "problem", "reason": ...,
"actor": ...}` (the actor also goes in the `X-Actor` header).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from services.complaints.bootstrap import Context
from services.complaints.problem_clients.model import ProblemEvidence, should_propose
from shared.contracts.pos import PurchaseReturned
from shared.identity import compact_card_number, reference_keys
from shared.logging import get_logger
from shared.messaging.waiting import ClientNotKnownYet
from shared.problems import DomainError, NotFound, Unavailable

log = get_logger(__name__)


class ProposalNotFound(NotFound):
    def problem_detail(self) -> str:
        return f"no open problem-client proposal for {self}"


class RegistryRefused(DomainError):
    """The registry refused the change: its 404/409/422 is the caller's, else a 502."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"the registry answered {status}: {detail}")
        self.status = status
        self.detail = detail

    def problem_status(self) -> int:
        return self.status if self.status in (404, 409, 422) else 502


async def evidence_of(ctx: Context, client_id: str, tags: list[str]) -> ProblemEvidence:
    return ProblemEvidence(
        unfounded_claims=await ctx.problems.signal("unfounded_claims", client_id),
        returns=await ctx.problems.signal("returns", client_id),
        tags=[t for t in tags if t in ctx.policies.problem.tags],
    )


async def review_client(ctx: Context, client_id: str, now: datetime) -> bool:
    """Propose the client when the evidence is enough (a decided proposal stays decided)."""
    client = await ctx.clients.get_or_default(client_id)
    evidence = await evidence_of(ctx, client_id, client.tags)
    existing = await ctx.problems.proposal(client_id)
    if existing and existing.get("status") in ("confirmed", "dismissed"):
        return False
    if client.category == "problem":
        if existing:  # the registry made them one (maybe a confirmation under way)
            await ctx.problems.mark(client_id, "confirmed", None, now)
        return False
    if not should_propose(evidence, client.category, ctx.policies.problem):
        if existing:
            await ctx.problems.drop_proposal(client_id)
        return False
    await ctx.problems.save_proposal(
        client_id,
        {
            "status": "proposed",
            "client_name": client.name,
            "category": client.category,
            "reasons": evidence.reasons(ctx.policies.problem),
            "evidence": evidence.model_dump(),
            "updated_at": now,
        },
    )
    log.info("problem_client_proposed", client_id=client_id)
    return True


async def note_unfounded_claim(ctx: Context, client_id: str, case_id: str, now: datetime) -> None:
    await ctx.problems.add_signal("unfounded_claims", client_id, case_id)
    await review_client(ctx, client_id, now)


async def note_return(ctx: Context, event: PurchaseReturned, now: datetime) -> None:
    """Count a return against its client; an anonymous sale is skipped, a return by a
    card or phone not known yet waits for the client (shared/messaging/waiting.py); a
    phone that is not a phone number raises InvalidPhone (parked in the DLQ,
    docs/identity.md)."""
    ref = event.client
    if ref is None:
        return
    keys = [f"card_number:{compact_card_number(ref.card_number)}"] if ref.card_number else []
    keys += reference_keys(ctx.policies.region, phone=ref.phone)
    client_id = ref.client_id or await ctx.clients.resolve(*keys)
    if client_id is None:
        if keys:
            raise ClientNotKnownYet(keys, "return_of_unknown_client")
        return
    await ctx.problems.add_signal("returns", client_id, event.return_id)
    await review_client(ctx, client_id, now)


async def list_proposals(ctx: Context) -> list[dict[str, Any]]:
    return await ctx.problems.open_proposals()


async def confirm_proposal(
    ctx: Context, client_id: str, reason: str | None, actor: str | None, now: datetime
) -> dict[str, Any]:
    """Ask the registry to make the client a problem client, then mark the proposal."""
    proposal = await ctx.problems.proposal(client_id)
    if proposal is None or proposal.get("status") != "proposed":
        raise ProposalNotFound(client_id)
    why = reason or "; ".join(proposal.get("reasons", ()))
    headers = {"X-Actor": actor} if actor else {}
    try:
        async with httpx.AsyncClient(
            base_url=ctx.policies.registry_url, timeout=ctx.policies.registry_timeout_s
        ) as registry:
            response = await registry.patch(
                f"/internal/v1/clients/{client_id}",
                json={"category": "problem", "reason": why, "actor": actor or "complaints"},
                headers=headers,
            )
    except httpx.HTTPError as exc:
        raise Unavailable(f"the registry does not answer: {exc!r}") from exc
    if response.status_code >= 400:
        try:
            detail = str(response.json().get("detail", response.text))
        except ValueError:
            detail = response.text[:300]
        raise RegistryRefused(response.status_code, detail)
    await ctx.problems.mark(client_id, "confirmed", actor, now)
    log.info("problem_client_confirmed", client_id=client_id, actor=actor)
    return (await ctx.problems.proposal(client_id)) or {}


async def dismiss_proposal(
    ctx: Context, client_id: str, actor: str | None, now: datetime
) -> dict[str, Any]:
    proposal = await ctx.problems.proposal(client_id)
    if proposal is None or proposal.get("status") != "proposed":
        raise ProposalNotFound(client_id)
    await ctx.problems.mark(client_id, "dismissed", actor, now)
    return (await ctx.problems.proposal(client_id)) or {}
