"""Category rules (admins edit them) and the POS quote (point reads only)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from fastapi import APIRouter, Request

from services.loyalty.accounts.api import loyalty_of
from services.loyalty.accounts.model import redemption_cap
from services.loyalty.purchases.handlers import identity_keys, resolve_keys
from services.loyalty.rules.model import CategoryRule, price_line, rule_for
from services.loyalty.schemas import (
    QuotedLineResponse,
    QuoteRequest,
    QuoteResponse,
    RuleBody,
    RuleResponse,
)
from shared.contracts import from_minor_units, to_minor_units
from shared.contracts.pos import ClientRef
from shared.problems import Invalid, NotFound

router = APIRouter(prefix="/internal/v1", tags=["rules", "pos"])


def rule_response(rule: CategoryRule) -> RuleResponse:
    fields = dataclasses.asdict(rule)
    return RuleResponse(category=fields.pop("name"), **fields)


@router.get("/rules", response_model=list[RuleResponse])
async def list_rules(request: Request) -> list[RuleResponse]:
    rules = await loyalty_of(request).repo.rules()
    return [rule_response(r) for r in sorted(rules.values(), key=lambda r: r.name)]


@router.get("/rules/{category}", response_model=RuleResponse)
async def get_rule(category: str, request: Request) -> RuleResponse:
    rules = await loyalty_of(request).repo.rules()
    if category not in rules:
        raise NotFound(f"no rules for category {category}; regular's apply")
    return rule_response(rules[category])


@router.put("/rules/{category}", response_model=RuleResponse)
async def put_rule(category: str, body: RuleBody, request: Request) -> RuleResponse:
    if not category.replace("_", "").replace("-", "").isalnum():
        raise Invalid("category: letters, digits, '-' and '_' only")
    rule = CategoryRule(name=category, **body.model_dump())
    await loyalty_of(request).repo.save_rule(rule)
    return rule_response(rule)


@router.post("/quote", response_model=QuoteResponse)
async def quote(body: QuoteRequest, request: Request) -> QuoteResponse:
    loyalty = loyalty_of(request)
    repo, policy = loyalty.repo, loyalty.policy
    ref = ClientRef(card_number=body.card_number, phone=body.phone, client_id=body.client_id)
    keys = identity_keys(ref, policy.region)  # InvalidPhone: 422 (the error table)
    if not keys:
        raise Invalid("name the client: card_number, phone or client_id")
    found = await resolve_keys(repo, set(keys))
    client_id = next((found[k] for k in keys if k in found), None)
    doc = await repo.load_raw(client_id) if client_id else None
    if doc is None or doc.get("merged_into"):
        raise NotFound("no client with this card, phone or id")
    rule = rule_for(doc.get("category") or "regular", await repo.rules())
    lines = [price_line(x.sku, x.quantity, x.unit_price, rule) for x in body.lines]
    total = sum((x.amount for x in lines), Decimal("0"))
    cap = redemption_cap(to_minor_units(total), int(doc["balance_cents"]), policy.max_share)
    return QuoteResponse(
        client_id=doc["_id"], category=doc.get("category") or "regular",
        tier=doc.get("tier") or "",
        lines=[QuotedLineResponse(**dataclasses.asdict(x)) for x in lines], total=total,
        prepayment_required=rule.prepayment_required,
        balance=from_minor_units(int(doc["balance_cents"])),
        max_redeemable=from_minor_units(cap),
        currency=policy.currency,
    )  # fmt: skip
