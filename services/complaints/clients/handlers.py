"""What complaints learns about clients from the registry and loyalty.

Projection writes are idempotent (a field is only set when the event is newer than
the stored value), so a replay or an out-of-order delivery changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from services.complaints.bootstrap import Context
from services.complaints.cases.model import Case
from services.complaints.cases.repository import cases_probe
from services.complaints.clients.repository import GONE, lookup_keys
from services.complaints.priority.handlers import follow_client_value
from services.complaints.problem_clients.handlers import review_client
from shared.contracts.loyalty import TierChanged
from shared.contracts.registry import ClientErased, ClientMerged, ClientRegistered, ClientUpdated
from shared.logging import get_logger
from shared.messaging.waiting import ClientNotKnownYet, WaitingRoom
from shared.messaging.waiting_erasure import ErasedClient, forget_parked
from shared.messaging.waiting_markers import marker_probes

log = get_logger(__name__)


async def known(ctx: Context, keys: Sequence[str]) -> bool:
    """Whether any of these keys (`client:<id>`, `card_number:`, `phone:`) is known now."""
    for key in keys:
        if key.startswith("client:"):
            if await ctx.clients.known(key.removeprefix("client:")):
                return True
        elif await ctx.clients.resolve(key):
            return True
    return False


async def remember_client(ctx: Context, event: ClientRegistered, now: datetime) -> list[str]:
    """Project the client; returns its keys when something waited for them.

    Two commands: the projection inserted unless a document exists, then the lookups
    with the waiting room's and the cases' probes in one bulk write. An update that
    came first leaves the registration its older fields (newer-than-stored stamps); a
    tombstone refuses it; a repeat changes nothing: the route needs no inbox claim.
    """
    client_id, fields = event.client_id, event.model_dump()
    keys = [f"client:{client_id}", *lookup_keys(fields)]
    before = await ctx.clients.register(client_id, fields, event.occurred_at)
    if before is not None and before.get(GONE):
        log.info("event_of_gone_client_ignored", client_id=client_id)
        return []
    if before is not None:
        await ctx.clients.apply(client_id, fields, event.occurred_at, stored=before)
    probes = [*marker_probes(keys), cases_probe(client_id)]
    anything_waited = await ctx.clients.point_all(client_id, keys[1:], probes)
    if set(event.tags) & ctx.policies.problem.tags:
        await review_client(ctx, client_id, now)
    if not anything_waited:
        return []
    await follow_client_value(ctx, client_id, now)  # cases filed before we knew them
    return keys


async def update_client(ctx: Context, event: ClientUpdated, now: datetime) -> list[str]:
    """Apply the changes; returns the keys they made known."""
    keys = [f"client:{event.client_id}", *lookup_keys(event.changed)]
    if await ctx.clients.gone(event.client_id):
        log.info("event_of_gone_client_ignored", client_id=event.client_id)
        return keys
    changes = dict(event.changed)
    if changes.get("phones"):
        changes["phone"] = changes["phones"][0]
    changed = await ctx.clients.apply(event.client_id, changes, event.occurred_at)
    await ctx.clients.point_all(event.client_id, lookup_keys(changes), [])
    if "tags" in changed or "category" in changed:
        await review_client(ctx, event.client_id, now)
    if "category" in changed:
        await follow_client_value(ctx, event.client_id, now)
    return keys


async def change_tier(ctx: Context, event: TierChanged, now: datetime) -> None:
    if await ctx.clients.gone(event.client_id):
        return
    await ctx.clients.set_tier(
        event.client_id, event.new_tier, event.lifetime_spend, event.occurred_at
    )
    await follow_client_value(ctx, event.client_id, now)


async def merge_clients(ctx: Context, event: ClientMerged, now: datetime) -> None:
    """Move the merged client's cases and evidence to the survivor (safe to repeat).

    A merge seen before the merged client's registration waits for it (its card and
    phone must end up leading to the survivor).
    """
    survivor, merged = event.survivor_id, event.merged_id
    if not await ctx.clients.known(merged) and not await ctx.clients.gone(merged):
        raise ClientNotKnownYet([f"client:{merged}"], "merge_of_unknown_client")
    case_ids = await ctx.cases.case_ids_of(merged)
    if case_ids:
        await ctx.cases.index(survivor, case_ids)
    for case_id in case_ids:
        async with ctx.locks(f"case:{case_id}"):
            case = await ctx.cases.get(case_id)
            if case is not None and case.client_id == merged:
                await ctx.cases.update(case_id, {"client_id": survivor}, {}, [])
                await ctx.cases.sync_board(case.model_copy(update={"client_id": survivor}))
    for kind in ("returns", "unfounded_claims"):
        for item in await ctx.problems.signal(kind, merged):
            await ctx.problems.add_signal(kind, survivor, item)
    await ctx.problems.drop_signals(merged)
    await ctx.problems.drop_proposal(merged)
    await ctx.cases.forget_client_index(merged)
    await ctx.clients.forget(merged, survivor_id=survivor)
    await review_client(ctx, survivor, now)
    log.info("client_merged", survivor_id=survivor, merged_id=merged, cases=len(case_ids))


def anonymised(case: Case) -> dict[str, Any]:
    history = [h.model_copy(update={"comment": None}).model_dump() for h in case.history]
    return {"text": None, "resolution": None, "history": history, "erased": True}


async def erase_client(ctx: Context, event: ClientErased) -> None:
    """Personal data goes (the client's words, comments, the projection, parked copies
    of events naming the client); counts stay."""
    known = await ctx.clients.get(event.client_id)
    phone, card = (known.phone, known.card_number) if known else (None, None)
    waiting = WaitingRoom(ctx.store, "complaints")
    await forget_parked(waiting, ErasedClient.of(event.client_id, [phone], [card]))
    cases = await ctx.cases.of_client(event.client_id)
    for case in cases:
        async with ctx.locks(f"case:{case.id}"):
            fresh = await ctx.cases.get(case.id)
            if fresh is not None:
                await ctx.cases.update(case.id, anonymised(fresh), {}, [])
    await ctx.clients.forget(event.client_id)
    await ctx.problems.drop_proposal(event.client_id)
    log.info("client_erased", client_id=event.client_id, cases=len(cases))
