"""Staff reads of clients are audited off the request path, in batches, and "who looked
at this client" is answered with point reads by `_id` (gateway in-process, real store;
the services behind it are down, so card reads answer 503, and are audited all the same)."""

from __future__ import annotations

from starlette.requests import Request

from services.gateway.audit.repository import clients_shown
from services.gateway.auth import handlers as handlers_auth
from services.gateway.auth.model import Role
from services.gateway.main import create_app
from tests.conftest import Slate, running
from tests.integration.gateway.conftest import StoreCommands, gateway_settings
from tests.support.staff import login

AUDIT = {"audit_log", "audit_clients"}


async def test_card_reads_cost_at_most_a_tenth_of_a_store_write_per_request(
    slate: Slate, commands: StoreCommands
) -> None:
    app = create_app(gateway_settings(slate))
    async with running(app) as api:
        await handlers_auth.create_user(
            app.state.context().staff, "front-desk", "a-long-password", Role.operator
        )
        operator = await login(api, "front-desk", "a-long-password")
        admin = await login(api)
        before = len(commands.writes_to(AUDIT))
        for n in range(200):  # one regular client read 100 times, and 100 others once
            client_id = "c-regular" if n % 2 else f"c-{n}"
            r = await api.get(f"/api/v1/clients/{client_id}", headers=operator)
            assert r.status_code == 503, r.text
        await app.state.context().audit.drain()
        writes = len(commands.writes_to(AUDIT)) - before
        # The daily retention job (started with the app) lists old month documents with
        # a scan, as it should; only what the audit route reads from here on is checked.
        reads_from = len(commands.seen)
        seen = await api.get("/api/v1/audit?client_id=c-regular", headers=admin)
        other = await api.get("/api/v1/audit?client_id=c-4", headers=admin)
    assert writes <= 200 * 0.1, commands.writes_to(AUDIT)
    assert seen.status_code == 200, seen.text
    entries = seen.json()["entries"]
    assert len(entries) == 100
    assert {(e["who"], e["action"], e["kind"], e["status"]) for e in entries} == {
        ("front-desk", "GET /api/v1/clients/{client_id}", "read", 503)
    }
    assert [e["client_ids"] for e in other.json()["entries"]] == [["c-4"]]
    # "who looked at this client": point reads by a string `_id` only, never a scan
    finds = commands.finds_in("audit_clients", since=reads_from)
    assert finds and all(list(f) == ["_id"] and isinstance(f["_id"], str) for f in finds)


async def test_a_listing_audits_every_client_it_showed_and_a_write_names_its_client(
    slate: Slate,
) -> None:
    app = create_app(gateway_settings(slate))
    async with running(app) as api:
        admin = await login(api)
        audit = app.state.context().audit
        listing = Request({"type": "http", "path_params": {}})
        shown = clients_shown(listing, b'{"items": [{"id": "c-1"}, {"client_id": "c-2"}]}')
        html = clients_shown(listing, b'<a href="/console/clients/c-3"><strong>')
        patched = await api.patch("/api/v1/clients/c-9", json={"tags": []}, headers=admin)
        await audit.drain()
        written = (await api.get("/api/v1/audit?client_id=c-9", headers=admin)).json()
    assert shown == ["c-1", "c-2"] and html == ["c-3"]
    assert patched.status_code == 503
    assert [(e["action"], e["kind"]) for e in written["entries"]] == [
        ("PATCH /api/v1/clients/{client_id}", "write")
    ]
