"""Registry: the one source of truth about who a client is.

Owns: clients, categories, behaviour tags, club cards, contact channels and consents,
managers, and the lookup documents that make cards, phones, emails and names findable.
Consumes: complaint.filed, complaint.resolved, survey.answered, tier.changed (signals).
Publishes: client.registered, client.updated, client.merged, client.erased (outbox).
"""
