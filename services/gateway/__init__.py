"""Gateway: the one door for staff: the JSON API, the web console, auth and audit.

Owns: staff users and roles, POS API keys, the audit log of staff writes and of reads
that show a client, the card view (its own MongoDB database). Consumes: complaint.filed
/ escalated / resolved, goodwill.granted, survey.answered, client.merged / erased (the
card view, clients/). Publishes: nothing: it calls the services' HTTP APIs and reads
`<topic>.dlq` topics for the admins' DLQ view.

Shape (../../shared/STYLE.md). The doors, at the top:
    main.py         create_app(settings, clock): runtime, middlewares, error pages, routes
    config.py       GatewaySettings (env prefix GATEWAY_)
    bootstrap.py    bootstrap(settings, runtime) -> Context, built once at start; the
                    guard and middlewares read it from the slot, routes get it as `Ctx`
    subscribers.py  the handler table: the events that keep the card view
    api.py          every feature's routers, in matching order
    upstream.py     the services' HTTP clients (aiohttp) and relaying their answers
    docs.py         OpenAPI and Swagger UI; static/ the console's and the docs' files
    cli.py, __main__.py
One folder per feature:
    auth/           the access policy (model.py), the guard, logins, staff users, POS keys
    audit/          the audit middleware, batched entries, retention, the admins' log
    dead_letters/   reading `<topic>.dlq` for admins
    console/        the staff console: pages, templates, display filters
    clients/        registration and changes (to the registry), the whole client card
                    and the card view kept by events
    privacy/        a client's data export; `clientele privacy ...`
    routes/         the areas passed on unchanged to the service that owns them
"""
