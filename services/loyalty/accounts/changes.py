"""`account_change.requested`: an account write another replica handed on to this one,
the owner of the account's home partition (accounts/owner.py). Each change is the
function that would have applied it there, called again with the partition it arrived
on; each is idempotent by its own receipt (a credit's, `expiry:<client>:<month>`,
`return:<id>`, the purchases' `match`) or is a `$set`/set operation, so a redelivery
changes nothing twice."""

from __future__ import annotations

from datetime import datetime

from services.loyalty.accounts import handlers as accounts
from services.loyalty.bonus import handlers as bonus
from services.loyalty.bootstrap import Context
from services.loyalty.returns.handlers import record_return
from shared.contracts.loyalty import AccountChangeRequested
from shared.contracts.pos import PurchaseReturned
from shared.messaging.pipeline import partition_of


async def apply_change(loyalty: Context, event: AccountChangeRequested) -> None:
    at, client_id, details = partition_of(event), event.client_id, event.details
    match event.change:
        case "credit":
            await bonus.apply_credit(loyalty, bonus.credit_of(details), at)
        case "expiry":
            await bonus.expire_account(
                loyalty, client_id, datetime.fromisoformat(details["at"]), at
            )
        case "return":
            returned = PurchaseReturned.model_validate(details)
            await record_return(loyalty, returned, loyalty.owned(), at)
        case "unmatched":
            await accounts.credit_waiting(loyalty, client_id, at)
        case "fields":
            await accounts.set_fields(loyalty, client_id, details["set"], at)
        case "complaint":
            complaint, open_ = details["complaint_id"], bool(details["open"])
            await accounts.track_complaint(loyalty, client_id, complaint, open_, at)
