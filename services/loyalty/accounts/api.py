"""Loyalty's internal HTTP routes: accounts and ledgers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request

from services.loyalty.accounts import handlers
from services.loyalty.accounts.model import AccountNotFound
from services.loyalty.accounts.repository import AccountRepository, account_of
from services.loyalty.bootstrap import Context
from services.loyalty.schemas import (
    AccountResponse,
    CardPartResponse,
    LedgerEntryResponse,
    LedgerResponse,
)
from shared.contracts import from_minor_units

router = APIRouter(prefix="/internal/v1", tags=["accounts"])


def loyalty_of(request: Request) -> Context:
    found: Context = request.app.state.loyalty
    return found


@router.get("/accounts/{client_id}", response_model=AccountResponse)
async def get_account(client_id: str, request: Request) -> AccountResponse:
    account = await handlers.get_account(loyalty_of(request).repo, client_id)
    return AccountResponse(**account.model_dump())


@router.get("/clients/{client_id}/ledger", response_model=LedgerResponse)
async def get_ledger(
    client_id: str, request: Request, limit: int = Query(50, ge=1, le=500)
) -> LedgerResponse:
    repo = loyalty_of(request).repo
    doc = await repo.load_raw(client_id)
    if doc is None or doc.get("merged_into"):
        raise AccountNotFound(client_id)
    return await ledger_of(repo, doc, limit)


@router.get("/clients/{client_id}/card", response_model=CardPartResponse)
async def card_part(
    client_id: str, request: Request, limit: int = Query(50, ge=1, le=500)
) -> CardPartResponse:
    """The account and the ledger from one read of the account (the client card's part)."""
    repo = loyalty_of(request).repo
    doc = await repo.load_raw(client_id)
    account = account_of(doc)
    if doc is None or account is None:
        raise AccountNotFound(client_id)
    return CardPartResponse(
        account=AccountResponse(**account.model_dump()), ledger=await ledger_of(repo, doc, limit)
    )


async def ledger_of(repo: AccountRepository, doc: dict[str, Any], limit: int) -> LedgerResponse:
    """The newest `limit` entries of an account and of the accounts merged into it."""
    client_id = str(doc["_id"])
    docs = await repo.ledger(client_id, int(doc.get("ledger_seq", 0)), limit)
    for merged_id, merged_doc in (await repo.load_many(doc.get("merged_from") or ())).items():
        docs += await repo.ledger(merged_id, int(merged_doc.get("ledger_seq", 0)), limit)
    entries = [
        LedgerEntryResponse(
            id=d["_id"],
            seq=d["seq"],
            kind=d["kind"],
            amount=from_minor_units(d["amount_cents"]),
            balance_after=from_minor_units(d["balance_after_cents"]),
            currency=d["currency"],
            at=d["at"],
            cause=d["cause"],
            purchase_id=d.get("purchase_id"),
            store_id=d.get("store_id"),
            actor=d.get("actor"),
            reason=d.get("reason"),
        )
        for d in docs
    ]
    return LedgerResponse(
        client_id=client_id, balance=from_minor_units(doc["balance_cents"]), entries=entries
    )
