"""Surveys and outreach: every outbound SMS, the contact budget, answers, ratings, NPS.

Owns: outbound messages (surveys, greetings, win-back) and the contact budget, answers,
opt-outs, ratings per employee / store / category, a client projection, templates.
Consumes: client.registered / updated / merged / erased (the projection),
purchase.recorded (a survey after a visit), bonus.accrued (birthday greeting),
client.at_risk (win-back), complaint.filed / resolved (no survey while a complaint is
open; re-survey after one), survey.answered (its own: ratings).
Publishes (outbox): survey.requested, survey.answered.

Shape (../../shared/STYLE.md). The doors, at the top:
    main.py         create_app(settings, clock): runtime, handler table, jobs, routes
    config.py       SurveysSettings (env prefix SURVEYS_)
    bootstrap.py    bootstrap(settings, runtime, provider, clock) -> Context, built once
                    at start; every handler takes it first, routes get it as `Ctx`
    subscribers.py  the handler table: which event goes to which handler
    api.py          every feature's routes, in matching order
    cli.py, __main__.py
One folder per feature, each with the same files (handlers.py: load, decide with
model.py, write with repository.py; api.py and schemas.py where it has routes):
    clients/    the client projection (merge, erasure), open complaints, opt-outs
    outreach/   what to plan and when: survey after a visit, greetings, win-back,
                re-survey; the contact rules (consent, budget, quiet hours)
    templates/  message texts per kind and language
    dispatch/   the planned messages, the contact budget, the periodic dispatcher and
                the SMS providers (providers.py)
    answers/    the signed inbound webhook (signature.py), replies matched to surveys
    ratings/    NPS, CSAT, employee of the month, complaints counted per employee
    retention/  old messages and answers deleted
    export/     the client's data export
"""
