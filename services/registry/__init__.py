"""Registry: the one source of truth about who a client is.

Owns: clients, categories, behaviour tags, club cards, contact channels and consents,
managers, and the lookup documents that make cards, phones, emails and names findable.
Consumes: complaint.filed, complaint.resolved, survey.answered, tier.changed (signals).
Publishes: client.registered, client.updated, client.merged, client.erased (outbox).

Shape (../../shared/STYLE.md). The doors: main.py (create_app), config.py, bootstrap.py
(bootstrap(settings, runtime) -> Context, built once at start: every handler takes it
first, routes get it as `Ctx`), api.py (every feature's routes), subscribers.py (the
handler table), cli.py (import, sample CSV).
One folder per feature, each with the same files (handlers.py, model.py, repository.py,
api.py, schemas.py where it has them):
    identity/   the client, its registration, lookup keys, the client card
    changes/    PATCH of the card's fields, merge, erasure
    cards/      club cards: issue, bind, block, replace
    search/     a query read as card / phone / email / name; the name index
    catalog/    categories, behaviour tags, managers' client lists
    signals/    other services' events kept on the card
    imports/    CSV import in batches (model: rows, repository: batch writes)
    export/     the client's data export
"""
