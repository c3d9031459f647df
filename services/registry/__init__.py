"""Registry: the one source of truth about who a client is.

Owns: clients, categories, cards, contact channels and consents, managers.
Consumes: (later) complaint.*, survey.answered, tier.changed for signals on the card.
Publishes: client.registered (through the outbox).
"""
