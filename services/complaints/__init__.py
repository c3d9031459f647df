"""Complaints: cases, priorities from client value, SLA clocks, escalation, goodwill, trends.

Owns: complaints, claims and suggestions with their history, SLA clocks and breaches,
goodwill budgets, weekly topic counts, problem-client proposals.
Consumes: client.registered / client.updated / client.merged / client.erased (a client
projection: category, manager, tags), tier.changed (tier, lifetime spend),
survey.answered (a low score opens a case), purchase.returned (evidence of returns),
complaint.filed (its own: weekly trend counts).
Publishes (outbox): complaint.filed, complaint.escalated, complaint.resolved,
goodwill.granted, complaint.trend_detected.

Shape (../../shared/STYLE.md). The doors, at the top:
    main.py         create_app(settings): runtime, handler table, jobs, routes
    config.py       ComplaintsSettings (env prefix COMPLAINTS_)
    bootstrap.py    bootstrap(settings, runtime) -> Context, built once at start;
                    every handler takes it first, routes get it as `Ctx`
    subscribers.py  the handler table: which event goes to which handler
    api.py          every feature's routes, in matching order
    schedule.py     the periodic job (SLA checker, then trend detector)
    cli.py, __main__.py
One folder per feature, each with the same files (handlers.py: load, decide with
model.py, write with repository.py; api.py and schemas.py where it has routes):
    cases/            filing (staff or a low survey score), workflow, board, a
                      client's cases
    priority/         priority from the client's live value, escalation at once
    sla/              SLA clocks and the checker that escalates missed deadlines
    goodwill/         goodwill grants within a per-client cap (SLA breach, manager)
    trends/           weekly topic counts per segment, rising topics announced
    problem_clients/  evidence, proposals and the manager's decision (via registry)
    clients/          the client projection (registry and loyalty events), merge,
                      erasure
    export/           the client's data export
"""
