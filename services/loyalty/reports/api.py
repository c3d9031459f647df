"""Reports (read models, point reads only), manual adjustments and scheduled jobs."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Query, Request, Response

from services.loyalty.accounts.api import loyalty_of
from services.loyalty.accounts.model import month_of
from services.loyalty.accounts.repository import AccountRepository
from services.loyalty.bonus import handlers as bonus
from services.loyalty.clients.repository import ClientIndexes
from services.loyalty.reports.model import (
    Economics,
    economics_of,
    months_between,
    per_client,
    rank_categories,
)
from services.loyalty.schemas import AdjustmentRequest, JobResult
from shared.contracts import from_minor_units, to_minor_units
from shared.problems import Invalid

router = APIRouter(prefix="/internal/v1", tags=["reports", "jobs"])
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


def money(cents: int) -> str:
    return f"{from_minor_units(cents):.2f}"


def economics_json(e: Economics) -> dict[str, Any]:
    return {
        "revenue": money(e.revenue_cents), "cost_of_goods": money(e.cost_cents),
        "discounts": money(e.discount_cents), "bonus_cost": money(e.bonus_cents),
        "goodwill_cost": money(e.goodwill_cents), "net_margin": money(e.net_margin_cents),
        "purchases": e.purchases,
    }  # fmt: skip


def period(first: str | None, last: str | None) -> list[str]:
    now = month_of(datetime.now(UTC))
    months = months_between(first or now, last or first or now)
    if not months:
        raise Invalid("from must not be after to (months as YYYY-MM)")
    return months


async def sum_months(repo: AccountRepository, prefix: str, months: list[str]) -> Economics:
    docs = await repo.reports(f"{prefix}:{m}" for m in months)
    return economics_of(docs.values())


@router.get("/reports/categories")
async def categories_report(
    request: Request,
    first: str | None = Query(None, alias="from", pattern=MONTH),
    last: str | None = Query(None, alias="to", pattern=MONTH),
) -> dict[str, Any]:
    """Economics per category over the period, ranked by net margin per client."""
    repo, months = loyalty_of(request).repo, period(first, last)
    names = sorted({*(await repo.rules()), "anonymous", "unmatched"})
    counts = await ClientIndexes(loyalty_of(request).store).client_counts(names)
    rows = {}
    for name in names:
        rows[name] = (await sum_months(repo, f"category:{name}", months), counts[name])
    return {
        "from": months[0], "to": months[-1], "ranking": rank_categories(rows),
        "categories": [
            {"category": n, "clients": c, **economics_json(e),
             "net_margin_per_client": money(int(per_client(e, c).quantize(1)))}
            for n, (e, c) in rows.items()
        ],
    }  # fmt: skip


@router.get("/reports/clients/{client_id}")
async def client_report(
    client_id: str,
    request: Request,
    first: str | None = Query(None, alias="from", pattern=MONTH),
    last: str | None = Query(None, alias="to", pattern=MONTH),
) -> dict[str, Any]:
    """One client's economics over the period, and their lifetime value (CLV)."""
    repo, months = loyalty_of(request).repo, period(first, last)
    lifetime = economics_of((await repo.reports([f"client:{client_id}"])).values())
    return {
        "client_id": client_id, "from": months[0], "to": months[-1],
        "period": economics_json(await sum_months(repo, f"client:{client_id}", months)),
        "lifetime": economics_json(lifetime), "clv": money(lifetime.net_margin_cents),
    }  # fmt: skip


async def indexed(
    repo: AccountRepository, index: str, kind: str, month: str
) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """A month's members of an index (`stores:<month>`) and their report documents
    (`store:<id>:<month>`), read by point reads."""
    head = await repo.reports([f"{index}:{month}"])
    members = sorted(head.get(f"{index}:{month}", {}).get("members", ()))
    return members, await repo.reports(f"{kind}:{m}:{month}" for m in members)


@router.get("/reports/employees")
async def employees_report(
    request: Request, month: str | None = Query(None, pattern=MONTH)
) -> dict[str, Any]:
    """Sales contribution per employee in a month, weighted by product weights."""
    repo = loyalty_of(request).repo
    month = month or month_of(datetime.now(UTC))
    members, docs = await indexed(repo, "employees", "employee", month)
    found = [(e, d) for e in members if (d := docs.get(f"employee:{e}:{month}"))]
    found.sort(key=lambda pair: (-int(pair[1].get("weighted_cents", 0)), pair[0]))
    rows = [
        {"employee_id": e, "sales": money(int(d.get("sales_cents", 0))),
         "weighted_sales": money(int(d.get("weighted_cents", 0))),
         "purchases": int(d.get("purchases", 0))}
        for e, d in found
    ]  # fmt: skip
    return {"month": month, "employees": rows}


@router.get("/reports/stores")
async def stores_report(
    request: Request, month: str | None = Query(None, pattern=MONTH)
) -> dict[str, Any]:
    """Economics per store in a month (every sale, anonymous and unmatched included)."""
    repo = loyalty_of(request).repo
    month = month or month_of(datetime.now(UTC))
    members, docs = await indexed(repo, "stores", "store", month)
    rows = [
        {"store_id": s, **economics_json(economics_of([d]))}
        for s in members
        if (d := docs.get(f"store:{s}:{month}"))
    ]
    return {"month": month, "stores": rows}


@router.post("/accounts/{client_id}/adjustments", status_code=201)
async def adjust(
    client_id: str, body: AdjustmentRequest, request: Request, response: Response
) -> dict[str, Any]:
    """201 once applied (`applied` false: that `request_id` was applied before). Another
    replica than the account's owner hands it on and waits for it up to
    `LOYALTY_ADJUST_WAIT_S`; still not applied then: 202, it will be, once."""
    loyalty = loyalty_of(request)
    amount = to_minor_units(body.amount)
    done = await bonus.adjust(loyalty, client_id, amount, body.actor, body.reason, body.request_id)
    receipt, waited = f"adjustment:{body.request_id}", 0.0
    while done and not await loyalty.repo.receipts([receipt]):
        if waited >= loyalty.settings.adjust_wait_s:
            response.status_code = 202
            return {"client_id": client_id, "applied": False, "pending": True,
                    "request_id": body.request_id}  # fmt: skip
        await asyncio.sleep(0.05)
        waited += 0.05
    return {"client_id": client_id, "applied": done, "request_id": body.request_id}


@router.post("/jobs/birthdays", response_model=JobResult)
async def birthdays(request: Request, day: date | None = None) -> JobResult:
    count = await bonus.run_birthdays(loyalty_of(request), day or datetime.now(UTC).date())
    return JobResult(job="birthdays", affected=count)


@router.post("/jobs/expiry", response_model=JobResult)
async def expiry(request: Request, at: datetime | None = None) -> JobResult:
    count = await bonus.run_expiry(loyalty_of(request), at or datetime.now(UTC))
    return JobResult(job="expiry", affected=count)


@router.post("/jobs/churn", response_model=JobResult)
async def churn(request: Request, day: date | None = None) -> JobResult:
    count = await bonus.run_churn(loyalty_of(request), day or datetime.now(UTC).date())
    return JobResult(job="churn", affected=count)
