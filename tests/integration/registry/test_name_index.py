"""The name index's job: what a registration left behind (a failed publish, a crash
before the client was written) and what an erasure purged while the job was filing."""

from __future__ import annotations

from datetime import timedelta

from services.registry.bootstrap import Context
from services.registry.identity.handlers import name_entry, registered_event
from services.registry.identity.model import Client, ClientDraft, new_client
from services.registry.main import create_app
from services.registry.search.handlers import compact_names
from services.registry.search.repository import NameIndex
from shared.store.outbox import outbox_entry
from tests.conftest import Slate, running
from tests.integration.registry.conftest import distinct_events, register, registry_settings
from tests.support.kafka import read_topic


async def left_behind(
    ctx: Context, name: str, phone: str, written: bool, ago: timedelta = timedelta(minutes=2)
) -> Client:
    """A marker another replica wrote `ago` (and died, or is slow), its event unpublished;
    the client written (the registration got that far) or not."""
    client = new_client(ClientDraft(name=name, phone=phone), "DE")
    if written:  # first: the job may already be running (it runs at start)
        await ctx.clients.insert(client)
    theirs = NameIndex(ctx.store, ctx.index, writer="another-replica")
    event = outbox_entry(registered_event(client))
    await theirs.file(name_entry(client), ctx.clock() - ago, event)
    return client


async def test_the_job_publishes_what_a_dead_replica_left_and_drops_what_it_never_wrote(
    slate: Slate,
) -> None:
    app = create_app(registry_settings(slate, names_interval_s=3600))
    async with running(app) as api:
        ctx: Context = app.state.context()
        kept = (await left_behind(ctx, "Grace Hopper", "+49 30 5550001", written=True)).id
        await left_behind(ctx, "Grace Phantom", "+49 30 5550002", written=False)
        await compact_names(ctx)
        found = await api.get("/internal/v1/clients", params={"q": "grace"})
        assert await ctx.names.pending() == []
    records = await read_topic(slate.infra.kafka, slate.topic("client.registered"), expect=1)
    assert [e["client_id"] for e in distinct_events(records)] == [kept]
    assert [item["id"] for item in found.json()["items"]] == [kept]


async def test_a_name_filed_by_a_job_that_read_it_before_an_erasure_is_purged_again(
    slate: Slate,
) -> None:
    app = create_app(registry_settings(slate, names_interval_s=3600))
    async with running(app) as api:
        ctx: Context = app.state.context()
        client = await register(api, name="Ada Forgotten", phone="+49 30 5550003")
        stale = await ctx.names.pending()  # a job run reads the entry ...
        r = await api.post(f"/internal/v1/clients/{client['id']}/erase", json={})
        assert r.status_code == 200, r.text
        for bucket in ("name:ada", "name:for"):  # ... and files it after the erasure
            await ctx.index.add(bucket, [d["entry"] for d in stale if d["kind"] == "entry"])
        await compact_names(ctx)
        left = [await ctx.index.items(b) for b in ("name:ada", "name:for")]
        recent = await ctx.names.pending()
    assert left == [[], []]
    assert [d["kind"] for d in recent] == ["purge"]  # kept a while for other late runs


async def test_a_marker_of_a_registration_still_in_flight_waits_for_its_client(
    slate: Slate,
) -> None:
    app = create_app(registry_settings(slate, names_interval_s=3600))
    async with running(app) as api:
        ctx: Context = app.state.context()
        # This replica's registration, 30 s between its name entry and its client.
        slow = new_client(ClientDraft(name="Slow Writer", phone="+49 30 5550004"), "DE")
        event = outbox_entry(registered_event(slow))
        await ctx.names.file(name_entry(slow), ctx.clock() - timedelta(seconds=30), event)
        await compact_names(ctx)
        waiting = [d["client_id"] for d in await ctx.names.pending()]
        await ctx.clients.insert(slow)  # the registration gets there at last
        await compact_names(ctx)
        found = await api.get("/internal/v1/clients", params={"q": "slow writer"})
    assert waiting == [slow.id]  # neither dropped nor filed yet
    records = await read_topic(slate.infra.kafka, slate.topic("client.registered"), expect=1)
    assert [e["client_id"] for e in distinct_events(records)] == [slow.id]
    assert [item["id"] for item in found.json()["items"]] == [slow.id]
