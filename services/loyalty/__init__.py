"""Loyalty: POS purchases turned into bonuses, tiers, category prices and economics.

Owns (database `loyalty`): bonus accounts (`accounts`, balance and spend in integer
cents), the ledger, purchase receipts, card/phone lookups, category rules, report
read models, unmatched purchases and open unit-of-work journals.
Consumes: `purchase.recorded` (in batches), `purchase.returned`, `client.registered`,
`client.updated`, `client.merged`, `client.erased`, `goodwill.granted`,
`complaint.filed`, `complaint.resolved` (open complaints pause expiry and downgrades).
Publishes: `bonus.accrued`, `bonus.redeemed`, `tier.changed`, `client.at_risk`.
Jobs (idempotent by receipts; internal endpoints, `clientele loyalty ...` and an
in-process periodic task): birthdays (`birthday:<client>:<year>`), expiry (FIFO by the
month bonus was earned, `expiry:<client>:<month>`), churn (`at_risk:<client>:<day>`).

## The purchase pipeline (purchases/handlers.py)

Purchases are a batch route of the message pipeline (shared/messaging/pipeline.py,
up to `LOYALTY_PURCHASE_BATCH_SIZE` records a batch): it validates each record (a bad
one goes to `purchase.recorded.dlq` alone), keeps the first record per
`purchase_id`, and claims the batch's purchase ids in `inbox` with one insert (a
claim refused as a duplicate is read: settled means "already counted", skipped).
Then, holding the process's unit-of-work lock:

1. replay a journal a crash left open (shared/store/unit_of_work.py);
2. read `receipts/purchase:<id>` of each purchase whose claim was not new (an
   interrupted earlier attempt): an existing receipt means "already counted";
3. resolve owners (client id, else `lookups/card:<n>`, else `lookups/phone:<e164>`),
   read their accounts and the category rules;
4. compute in memory with the pure rules (accounts/model.py): redemption capped by
   `LOYALTY_REDEEM_MAX_SHARE` of the purchase and the balance (the shortfall is kept
   on the receipt and in `bonus.redeemed`), accrual on the money paid at the
   category rate x tier multiplier (rounded down), spend, tier;
5. commit ONE unit of work: the whole plan as one journal document, then one bulk
   write per collection (accounts `$inc` + `_last_applied`, ledger, receipts,
   reports, unmatched), the events through the outbox, the journal deleted; then the
   pipeline settles the claims (one insert) and FastStream commits the offsets
   (NACK_ON_ERROR: a transient failure rewinds the batch instead).

## Why nothing is lost or counted twice (every crash point)

- Before the journal insert: nothing written, offsets not committed; the batch is
  redelivered, its claims say "unfinished", its receipts are read (none) and it is
  computed afresh.
- After the journal insert, anywhere in the effects: the journal is replayed as
  written (unit_of_work.py). Ledger entries (`<client>:<seq>`) and receipts
  (`purchase:<id>`) have deterministic ids, so a second insert is ignored; account
  and report increments carry the journal id in `_last_applied`, so a replay skips
  a document already incremented. Replays run before any other write of this
  process (same lock), and before the batch that redelivers the same partitions,
  so `_last_applied` still names the journal when it is checked.
- After publishing, before the journal delete: events are re-published with the
  same `event_id`s; consumers deduplicate on them.
- After the journal delete, before the claims are settled: every purchase of the
  redelivered batch has an unfinished claim, so its receipt is read: it exists, so
  the purchase is skipped.
- A duplicate much later: its claim is settled for good (and so is its receipt).

Receipts are written in the same journal as the balance change, so "receipt exists"
if and only if "the purchase is in the balance" once the journal is done.

## One writer per account

FerretDB does not make concurrent updates of one document atomic. Within one process
every account writer (batches, client events, API commands) holds one lock. Across
replicas, Kafka gives each partition one consumer: POS systems must key a client's
purchases consistently (the card number, as the contract says). Reports every
consumer adds to (`category:<cat>:<month>`, `store:`, `employee:` ...) are split into
one shard per writer, `...@p<partition>`, and summed when read (reports/shards.py), so
they stay exact with any number of replicas.

## Matching

A purchase names a client by id, card or phone. Unknown card/phone: the purchase is
kept with `match: unmatched` (and counted for store/employee reports, category
`unmatched`) under every key it names; when `client.registered` or `client.updated`
brings one of them, the purchase is credited (once) and its economics move to the
client's category. Anonymous sales count for store and employee reports (category
`anonymous`).
"""
