"""Loyalty: bonus accounts, ledger, purchases, tiers and category pricing rules.

Owns: bonus accounts (balance in minor units), later the ledger and purchases.
Consumes: client.registered (opens the account); purchase.* and more come next.
Publishes: (later) bonus.accrued, bonus.redeemed, tier.changed.
"""
