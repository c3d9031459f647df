"""One writer per account, at any number of loyalty replicas.

An account is written by its purchases, on the replica that consumes the partition of
`purchase.recorded` they come in (its "home"), and by changes from elsewhere: credits
(goodwill, birthdays, adjustments), expiry, returns, purchases made before the client
registered. FerretDB does not make concurrent updates of one document atomic, and two
writers reading the account at ledger sequence N would both write ledger entry N+1.
So a change is applied only by the replica that owns the account's home partition,
under the unit of work's lock (a rebalance waits for that lock before the partition
moves, shared/messaging/fence.py); any other replica hands it on as an
`account_change.requested` to the same partition number, which the home's purchase
consumer reads too (range assignment, co-partitioned: Pipeline(co_partitioned=True)).

The home is the partition the account's last purchase came in (`home_partition`, set by
every purchase batch), or before any purchase the partition of the key a POS would send
(card number, else phone, else client id).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiokafka.partitioner import murmur2

from shared.contracts.loyalty import AccountChange, AccountChangeRequested
from shared.logging import get_logger
from shared.messaging.broker import EventPublisher

log = get_logger(__name__)

HOME = "home_partition"


def home_key(doc: dict[str, Any]) -> str:
    """The key a POS most likely sends for this client (`ClientRef.identity()` of a
    reference naming card or phone; the client id when it names neither)."""
    return str(doc.get("card_number") or doc.get("phone") or doc["_id"])


def partition_for(key: str, count: int) -> int:
    """Kafka's default partitioner (aiokafka's and the Java client's)."""
    return int(murmur2(key.encode()) & 0x7FFFFFFF) % count


@dataclass(frozen=True)
class AccountOwners:
    """`owned()`: `<topic>:<partition>` this process consumes now; `count()`: the
    partitions of the (physical) purchase topic, None until the metadata is known."""

    purchase_topic: str
    owned: Callable[[], set[str]]
    count: Callable[[], int | None]
    publisher: EventPublisher

    def home(self, doc: dict[str, Any]) -> int | None:
        if doc.get(HOME) is not None:
            return int(doc[HOME])
        count = self.count()
        return partition_for(home_key(doc), count) if count else None

    def owns(self, doc: dict[str, Any], arrived_on: int | None = None) -> bool:
        """Whether this process may write the account now (the caller holds the unit
        of work's lock). `arrived_on`: the partition a handed-on change came in; the
        home's owner reads it, unless members of an older release still assign
        round robin during a rolling upgrade: then it is applied where it arrived
        rather than handed round in a loop."""
        home = self.home(doc)
        if home is not None and f"{self.purchase_topic}:{home}" in self.owned():
            return True
        if arrived_on is not None and arrived_on == home:
            log.warning("account_change_not_co_partitioned", client_id=doc["_id"], home=home)
            return True
        return False

    async def hand_on(
        self, doc: dict[str, Any], change: AccountChange, details: dict[str, Any]
    ) -> None:
        """Publish the change to the account's home partition (acks=all)."""
        event = AccountChangeRequested(client_id=doc["_id"], change=change, details=details)
        home = self.home(doc)
        key = home_key(doc) if home is None else event.partition_key()
        body = event.model_dump_json().encode()
        await self.publisher.publish_raw(event.TOPIC, key, body, partition=home)
        log.info("account_change_handed_on", client_id=doc["_id"], change=change, home=home)
